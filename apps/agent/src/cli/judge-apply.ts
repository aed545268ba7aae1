import type { UnitStatus } from '../formats/unit-status.js';
import type { AgentRecords, UnitState } from '../state.js';

/** Why an applied service version did not take: rolled back, not installable, or failing with nothing to roll back to. */
export interface ApplyFailure {
  serviceId: string;
  version: string;
  message: string;
  exitCode?: number;
}

/** Where an applied target stands: still settling, or settled with the versions that failed (none: all committed). */
export type ApplyOutcome = { settled: false } | { settled: true; failures: ApplyFailure[] };

const instanceKey = (serviceId: string, subjectId: string, index: number) => `${serviceId}/${subjectId}/${index}`;

/**
 * Judge an applied target from what the daemon wrote: status.json and records.json. A service
 * version has settled when the daemon committed it (`records.services[id].activeDigest`, set
 * by the commit-version step once all its instances ran for startInterval) with its instances
 * active, or when it failed: rolled back (reject-version; the status reports the version as
 * `error` "rolled back to …") and the previous version's instances are up again, not
 * installable (`error`), or an instance `failed` with no previous version to fall back to. Instance states alone are not enough: a broken update is
 * `active` for a moment after each start. Pure.
 */
export function judgeApply(
  target: UnitState,
  status: UnitStatus,
  records: Pick<AgentRecords, 'services'>,
): ApplyOutcome {
  // A status built from an older target cannot answer: it must list exactly this target's versions and instances.
  const statusKeys = new Set(
    status.instances.map((item) => instanceKey(item.serviceId, item.subjectId, item.instance)),
  );
  const targetKeys = new Set(
    target.instances.map((instance) => instanceKey(instance.serviceId, instance.subjectId, instance.index)),
  );
  const isThisTarget =
    statusKeys.size === targetKeys.size &&
    [...targetKeys].every((key) => statusKeys.has(key)) &&
    target.services.every((service) =>
      status.services.some((item) => item.id === service.serviceId && item.version === service.version),
    ) &&
    status.services.every((item) => target.services.some((service) => service.serviceId === item.id));
  if (!isThisTarget) return { settled: false };

  const failures: ApplyFailure[] = [];
  for (const service of target.services) {
    const reported = status.services.find((item) => item.id === service.serviceId && item.version === service.version);
    const base = { serviceId: service.serviceId, version: service.version };
    const mine = status.instances.filter((item) => item.serviceId === service.serviceId);
    if (reported?.status === 'error') {
      // Rolled back: settled once the previous version runs again (or failed too).
      if (!mine.every((item) => item.status === 'active' || item.status === 'failed')) return { settled: false };
      failures.push({
        ...base,
        message: reported.errorInfo?.message ?? 'failed (no reason given)',
        ...(reported.errorInfo?.exitCode !== undefined ? { exitCode: reported.errorInfo.exitCode } : {}),
      });
      continue;
    }
    const failed = mine.find((item) => item.status === 'failed');
    if (failed) {
      const reason = failed.errorInfo?.message ?? 'failed (no reason given)';
      failures.push({
        ...base,
        message: `instance ${failed.subjectId}/${failed.instance} failed: ${reason}`,
        ...(failed.errorInfo?.exitCode !== undefined ? { exitCode: failed.errorInfo.exitCode } : {}),
      });
      continue;
    }
    const isCommitted = records.services[service.serviceId]?.activeDigest === service.manifestDigest;
    if (!isCommitted || !mine.every((item) => item.version === service.version && item.status === 'active'))
      return { settled: false };
  }
  return { settled: true, failures };
}
