/**
 * v7 `updateItemInstanceAlert`s from the agent's statuses: one when an instance becomes `failed`
 * (with its reason), so a person sees the failure in the alert list, not only in the status.
 * Pure apart from the instances it remembers: feed every full status in order.
 */
import type { Alert } from '@openaos/protocol/v7';
import type { UnitStatus as AgentStatus } from '../formats/unit-status.js';
import { toIdentity } from './map-unit-status.js';

export class InstanceFailureAlerts {
  private readonly states = new Map<string, string>();
  private isFirst = true;

  /** The alerts for instances that turned `failed` since the previous status (none for the first one seen). */
  next(status: AgentStatus, now = new Date()): Alert[] {
    const alerts: Alert[] = [];
    const seen = new Set<string>();
    for (const instance of status.instances) {
      const key = `${instance.serviceId}/${instance.subjectId}/${instance.instance}`;
      seen.add(key);
      const previous = this.states.get(key);
      this.states.set(key, instance.status);
      // An agent that starts with a failed instance reported it already (before a restart).
      if (instance.status !== 'failed' || previous === 'failed' || (this.isFirst && previous === undefined)) continue;
      const reason = instance.errorInfo?.message ?? 'the instance failed';
      const exit = instance.errorInfo?.exitCode !== undefined ? ` (exit code ${instance.errorInfo.exitCode})` : '';
      alerts.push({
        timestamp: now.toISOString(),
        tag: 'updateItemInstanceAlert',
        item: toIdentity(instance.serviceId),
        subjectId: toIdentity(instance.subjectId),
        instance: instance.instance,
        version: instance.version,
        message: `instance ${instance.instance} of version ${instance.version} failed: ${reason}${exit}`,
      });
    }
    for (const key of [...this.states.keys()]) if (!seen.has(key)) this.states.delete(key);
    this.isFirst = false;
    return alerts;
  }
}
