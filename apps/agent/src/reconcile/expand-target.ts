import type { DesiredStatus } from '../formats/desired-status.js';
import { createInstanceId } from '../persist/instance-id.js';
import type { UnitState } from '../state.js';

/**
 * The target UnitState of a desired status: each instance entry expands into indexes
 * 0..numInstances-1, each running its service's desired version. Instances of a service that
 * is not listed are ignored (there is nothing to run them from).
 */
export function expandTarget(desired: DesiredStatus | undefined): UnitState {
  const services = (desired?.services ?? []).map((service) => ({
    serviceId: service.id,
    version: service.version,
    manifestDigest: service.manifestDigest,
    urls: service.urls ?? [],
    ...(service.size !== undefined ? { size: service.size } : {}),
    ...(service.isRollback ? { isRollback: true } : {}),
    ...(service.providerId ? { providerId: service.providerId } : {}),
  }));
  const byId = new Map(services.map((service) => [service.serviceId, service]));
  const instances = (desired?.instances ?? []).flatMap((entry) => {
    const service = byId.get(entry.serviceId);
    if (!service) return [];
    return Array.from({ length: entry.numInstances }, (_unused, index) => ({
      instanceId: createInstanceId(entry.serviceId, entry.subjectId, index),
      serviceId: entry.serviceId,
      subjectId: entry.subjectId,
      index,
      priority: entry.priority,
      version: service.version,
      manifestDigest: service.manifestDigest,
      ...(service.providerId ? { providerId: service.providerId } : {}),
    }));
  });
  return { services, instances };
}
