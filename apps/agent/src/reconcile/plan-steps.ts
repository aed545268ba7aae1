import type { ErrorInfo } from '../formats/error-info.js';
import { findRefusedDowngrade } from './find-refused-downgrade.js';
import type { Step } from './steps.js';
import {
  DEFAULT_RUN_PARAMETERS,
  type InstanceRuntime,
  type InstanceState,
  type Observations,
  type RunParameters,
  type ServiceVersion,
  type UnitState,
} from '../state.js';

/** Backoff before retrying a failed install: 1 s, 2 s, 4 s … capped at 30 s. */
export function installRetryDelay(attempts: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * The version each target service should run now: the desired one, unless it is a refused
 * downgrade (find-refused-downgrade.ts), or it was rejected and the previously committed
 * version is still installed (rollback): then the committed one.
 */
export function resolveEffectiveServices(
  current: UnitState,
  target: UnitState,
  observations: Observations,
): ServiceVersion[] {
  const installed = new Map(current.services.map((service) => [service.manifestDigest, service]));
  return target.services.map((service) => {
    const record = observations.services[service.serviceId];
    const fallback = record?.activeDigest ? installed.get(record.activeDigest) : undefined;
    if (fallback && findRefusedDowngrade(service, fallback)) return fallback;
    if (
      record?.rejected?.manifestDigest === service.manifestDigest &&
      fallback &&
      fallback.manifestDigest !== service.manifestDigest
    ) {
      return fallback;
    }
    return service;
  });
}

function describeExit(runtime: InstanceRuntime): ErrorInfo {
  const exit = runtime.exit;
  if (!exit) return { message: 'the container disappeared' };
  if (exit.oomKilled)
    return {
      message: 'killed by the OOM killer at its memory limit',
      ...(exit.exitCode !== undefined ? { exitCode: exit.exitCode } : {}),
    };
  if (exit.startError)
    return {
      ...(exit.exitCode !== undefined ? { exitCode: exit.exitCode } : {}),
      message: `could not be started: ${exit.startError}`,
    };
  if (exit.exitCode === undefined) return { message: 'exited with an unknown status' };
  return { exitCode: exit.exitCode, message: `exited with code ${exit.exitCode}` };
}

/**
 * The reason a crash loop is failed. One wording whichever count tripped: `startBurst` starts within
 * `startInterval` are always also `startBurst` failed starts in a row (each of those runs exited
 * within `startInterval`), so the reason does not depend on how fast the machine restarts.
 */
function burstExceeded(runtime: InstanceRuntime, run: RunParameters): ErrorInfo {
  const last = describeExit(runtime);
  return { ...last, message: `start burst exceeded (${run.startBurst} failed starts in a row), last ${last.message}` };
}

/**
 * Failed starts in a row, the run that just ended included: a run counts when it exited within
 * `startInterval` of its start, or before its version was committed. A crash loop whose runs
 * each last longer than `startInterval / startBurst` never has `startBurst` starts in one window;
 * this count catches it after `startBurst` runs, whatever their length.
 */
function countFailedStarts(runtime: InstanceRuntime, run: RunParameters, isCommitted: boolean, now: number): number {
  const lastStart = runtime.starts.at(-1);
  const endedAt = runtime.exit?.at ?? now;
  const isQuick = lastStart === undefined || endedAt - lastStart < run.startIntervalMs;
  return isQuick || !isCommitted ? (runtime.failedStarts ?? 0) + 1 : 0;
}

/**
 * Plan the steps that move `current` toward `target`. Pure: same inputs, same steps.
 * Order: removals, failures and rejections, instance starts/stops by priority (highest
 * first), commits, installs, then removal of versions nothing refers to any more.
 */
export function planSteps(current: UnitState, target: UnitState, observations: Observations): Step[] {
  const { now } = observations;
  const installed = new Map(current.services.map((service) => [service.manifestDigest, service]));
  const effective = resolveEffectiveServices(current, target, observations);
  const effectiveById = new Map(effective.map((service) => [service.serviceId, service]));
  const currentById = new Map(current.instances.map((instance) => [instance.instanceId, instance]));

  // Target instances run their service's effective version; those of unknown services are dropped.
  const targetInstances: InstanceState[] = target.instances
    .flatMap((instance) => {
      const service = effectiveById.get(instance.serviceId);
      return service ? [{ ...instance, version: service.version, manifestDigest: service.manifestDigest }] : [];
    })
    .sort(
      (a, b) => b.priority - a.priority || (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0),
    ); // code points, not localeCompare (ICU data)
  const targetIds = new Set(targetInstances.map((instance) => instance.instanceId));

  const removals: Step[] = current.instances
    .filter((instance) => !targetIds.has(instance.instanceId))
    .map((instance) => ({ kind: 'remove-instance', instanceId: instance.instanceId }));
  const failures: Step[] = [];
  const instanceSteps: Step[] = [];
  const failedServices = new Map<string, ErrorInfo>();

  for (const wanted of targetInstances) {
    const existing = currentById.get(wanted.instanceId);
    const isInstalled = installed.has(wanted.manifestDigest);
    if (!existing) {
      if (isInstalled) instanceSteps.push({ kind: 'start-instance', instance: wanted });
      continue;
    }
    if (existing.manifestDigest !== wanted.manifestDigest) {
      // Keep the old version running until the new one is installed.
      if (isInstalled) {
        const isRollback =
          observations.services[wanted.serviceId]?.rejected?.manifestDigest === existing.manifestDigest;
        instanceSteps.push(
          { kind: 'stop-instance', instanceId: wanted.instanceId, reason: isRollback ? 'rollback' : 'update' },
          { kind: 'start-instance', instance: wanted },
        );
      }
      continue;
    }
    const runtime = observations.instances[wanted.instanceId];
    if (!runtime || runtime.phase === 'starting' || runtime.phase === 'running') continue;
    if (runtime.failed) {
      failedServices.set(wanted.serviceId, runtime.failed);
      continue;
    }
    const run = installed.get(existing.manifestDigest)?.runParameters ?? DEFAULT_RUN_PARAMETERS;
    const recentStarts = runtime.starts.filter((at) => at > now - run.startIntervalMs).length;
    const isCommitted = observations.services[wanted.serviceId]?.activeDigest === wanted.manifestDigest;
    const failedStarts = countFailedStarts(runtime, run, isCommitted, now);
    if (run.startBurst > 0 && (recentStarts >= run.startBurst || failedStarts >= run.startBurst)) {
      const error = burstExceeded(runtime, run);
      failures.push({ kind: 'mark-instance-failed', instanceId: wanted.instanceId, error });
      failedServices.set(wanted.serviceId, error);
      continue;
    }
    const exitedAt = runtime.exit?.at ?? 0;
    if (runtime.phase === 'missing' || now >= exitedAt + run.restartIntervalMs) {
      instanceSteps.push({ kind: 'restart-instance', instance: wanted, failedStarts });
    }
  }

  // Rejections and commits: only for a version that is not yet the committed one.
  const commits: Step[] = [];
  for (const service of effective) {
    const record = observations.services[service.serviceId];
    if (record?.activeDigest === service.manifestDigest || !installed.has(service.manifestDigest)) continue;
    const failure = failedServices.get(service.serviceId);
    if (failure) {
      if (
        record?.activeDigest &&
        installed.has(record.activeDigest) &&
        record.rejected?.manifestDigest !== service.manifestDigest
      ) {
        failures.push({
          kind: 'reject-version',
          serviceId: service.serviceId,
          version: service.version,
          manifestDigest: service.manifestDigest,
          error: failure,
        });
      }
      continue;
    }
    const run = installed.get(service.manifestDigest)?.runParameters ?? DEFAULT_RUN_PARAMETERS;
    const mine = targetInstances.filter((instance) => instance.serviceId === service.serviceId);
    const isStable = mine.every((instance) => {
      const existing = currentById.get(instance.instanceId);
      const runtime = observations.instances[instance.instanceId];
      const lastStart = runtime?.starts.at(-1);
      return (
        existing?.manifestDigest === service.manifestDigest &&
        runtime?.phase === 'running' &&
        lastStart !== undefined &&
        now - lastStart >= run.startIntervalMs
      );
    });
    if (isStable)
      commits.push({
        kind: 'commit-version',
        serviceId: service.serviceId,
        version: service.version,
        manifestDigest: service.manifestDigest,
      });
  }

  const installs: Step[] = [];
  for (const service of effective) {
    if (installed.has(service.manifestDigest)) continue;
    const failure = observations.installFailures[service.manifestDigest];
    if (failure && now < failure.at + installRetryDelay(failure.attempts)) continue;
    installs.push({ kind: 'install-service', service });
  }

  // Keep: what should run, what is committed for a wanted service (rollback target), what still runs.
  const keep = new Set<string>(effective.map((service) => service.manifestDigest));
  for (const service of target.services) {
    const active = observations.services[service.serviceId]?.activeDigest;
    if (active) keep.add(active);
  }
  for (const instance of current.instances) if (targetIds.has(instance.instanceId)) keep.add(instance.manifestDigest);
  const removable = current.services.filter((service) => !keep.has(service.manifestDigest));
  const versionRemovals: Step[] = removable.map((service) => ({
    kind: 'remove-service-version',
    serviceId: service.serviceId,
    version: service.version,
    manifestDigest: service.manifestDigest,
    isLastVersion: !current.services.some(
      (other) => other.serviceId === service.serviceId && keep.has(other.manifestDigest),
    ),
  }));

  return [...removals, ...failures, ...instanceSteps, ...commits, ...installs, ...versionRemovals];
}
