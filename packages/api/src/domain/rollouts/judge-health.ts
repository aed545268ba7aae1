/** What a unit last reported of one service (rows of unit_item_statuses / unit_instance_statuses). */
export interface ReportedService {
  items: { version: string; state: string; errorMessage?: string | undefined }[];
  instances: { version: string; state: string; errorMessage?: string | undefined }[];
  /** Quota alerts of the service's instances on the unit raised and not yet fallen (their parameters: `ram`, `cpu`…). */
  activeQuotaAlerts?: string[] | undefined;
}

export type VersionHealth = { health: 'active' } | { health: 'failed'; reason: string } | { health: 'updating' };

/**
 * How a unit runs one version of a service, from its last report (v7 unitStatus: items and
 * instances each carry their version):
 * - `failed`: the item of that version is `failed` (the agent could not install or start it and
 *   rolled back), or an instance of that version is `failed`;
 * - `active`: the item is `installed` and it has instances of that version, every one `active`,
 *   and none of the service's instances has a quota alert raised and not fallen (unit_alerts);
 * - `updating`: anything else (not reported yet, downloading, activating…).
 */
export function judgeVersionHealth(reported: ReportedService, version: string): VersionHealth {
  const item = reported.items.find((candidate) => candidate.version === version);
  if (item?.state === 'failed') return { health: 'failed', reason: item.errorMessage ?? `version ${version} failed` };
  const instances = reported.instances.filter((instance) => instance.version === version);
  const failed = instances.find((instance) => instance.state === 'failed');
  if (failed) return { health: 'failed', reason: failed.errorMessage ?? `an instance of ${version} failed` };
  if (item?.state === 'installed' && instances.length > 0 && instances.every((instance) => instance.state === 'active'))
    return (reported.activeQuotaAlerts ?? []).length > 0 ? { health: 'updating' } : { health: 'active' };
  return { health: 'updating' };
}
