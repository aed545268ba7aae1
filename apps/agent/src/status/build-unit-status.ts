import type { ErrorInfo } from '../formats/error-info.js';
import type { InstanceStatusItem, ServiceStatusItem, UnitStatus } from '../formats/unit-status.js';
import type { AgentRecords, Observations, UnitState } from '../state.js';
import { findRefusedDowngrade } from '../reconcile/find-refused-downgrade.js';
import { resolveEffectiveServices } from '../reconcile/plan-steps.js';

export interface StatusInput {
  nodeId: string;
  current: UnitState;
  target: UnitState;
  observations: Observations;
  records: AgentRecords;
  installing?: string;
}

function describeLastExit(observations: Observations, instanceId: string): ErrorInfo | undefined {
  const exit = observations.instances[instanceId]?.exit;
  if (!exit) return undefined;
  if (exit.oomKilled)
    return {
      message: 'killed by the OOM killer at its memory limit; restarting',
      ...(exit.exitCode !== undefined ? { exitCode: exit.exitCode } : {}),
    };
  return {
    ...(exit.exitCode !== undefined ? { exitCode: exit.exitCode } : {}),
    message: exit.startError
      ? `could not be started: ${exit.startError}; restarting`
      : `exited with code ${exit.exitCode ?? 'unknown'}; restarting`,
  };
}

/** The full unitStatus (reference §5.2) for the current pass. Pure. */
export function buildUnitStatus(input: StatusInput): UnitStatus {
  const { current, target, observations, records } = input;
  const installed = new Map(current.services.map((service) => [service.manifestDigest, service]));
  const effective = resolveEffectiveServices(current, target, observations);
  const effectiveById = new Map(effective.map((service) => [service.serviceId, service]));

  const services: ServiceStatusItem[] = [];
  for (const wanted of target.services) {
    const activeDigest = records.services[wanted.serviceId]?.activeDigest;
    const downgrade = findRefusedDowngrade(wanted, activeDigest ? installed.get(activeDigest) : undefined);
    if (downgrade) {
      services.push({
        id: wanted.serviceId,
        version: wanted.version,
        status: 'error',
        errorInfo: { message: downgrade.message },
      });
      services.push({ id: downgrade.from.serviceId, version: downgrade.from.version, status: 'installed' });
      continue;
    }
    const rejected = records.services[wanted.serviceId]?.rejected;
    const running = effectiveById.get(wanted.serviceId);
    if (
      rejected?.manifestDigest === wanted.manifestDigest &&
      running &&
      running.manifestDigest !== wanted.manifestDigest
    ) {
      services.push({
        id: wanted.serviceId,
        version: wanted.version,
        status: 'error',
        errorInfo: { ...rejected.error, message: `rolled back to ${running.version}: ${rejected.error.message}` },
      });
      services.push({ id: running.serviceId, version: running.version, status: 'installed' });
      continue;
    }
    const failure = records.installFailures[wanted.manifestDigest];
    if (installed.has(wanted.manifestDigest))
      services.push({ id: wanted.serviceId, version: wanted.version, status: 'installed' });
    else if (input.installing === wanted.manifestDigest)
      services.push({ id: wanted.serviceId, version: wanted.version, status: 'installing' });
    else if (failure)
      services.push({ id: wanted.serviceId, version: wanted.version, status: 'error', errorInfo: failure.error });
    else services.push({ id: wanted.serviceId, version: wanted.version, status: 'pending' });
  }

  const currentById = new Map(current.instances.map((instance) => [instance.instanceId, instance]));
  const instances: InstanceStatusItem[] = target.instances.map((wanted) => {
    const existing = currentById.get(wanted.instanceId);
    const runtime = observations.instances[wanted.instanceId];
    const service = effectiveById.get(wanted.serviceId);
    const base = {
      serviceId: wanted.serviceId,
      subjectId: wanted.subjectId,
      instance: wanted.index,
      nodeId: input.nodeId,
    };
    if (!existing || !runtime) {
      const failure = service ? records.installFailures[service.manifestDigest] : undefined;
      if (failure)
        return {
          ...base,
          version: wanted.version,
          status: 'failed',
          errorInfo: { message: `not installed: ${failure.error.message}` },
        };
      return { ...base, version: service?.version ?? wanted.version, status: 'activating' };
    }
    const version = existing.version;
    if (runtime.failed) return { ...base, version, status: 'failed', errorInfo: runtime.failed };
    if (runtime.phase === 'running') return { ...base, version, status: 'active' };
    const lastExit = runtime.phase === 'exited' ? describeLastExit(observations, wanted.instanceId) : undefined;
    return { ...base, version, status: 'activating', ...(lastExit ? { errorInfo: lastExit } : {}) };
  });

  return {
    messageType: 'unitStatus',
    isDeltaInfo: false,
    nodes: [{ id: input.nodeId, status: 'provisioned' }],
    services,
    instances,
  };
}
