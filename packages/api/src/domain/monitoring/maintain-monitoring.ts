import type { Database } from '@openaos/db';
import { pruneMonitoring, type PruneResult } from './prune-monitoring.js';
import { DEFAULT_MONITORING_RETENTION, type MonitoringRetention } from './retention.js';

/** Retention runs at most this often per database handle (the maintenance loop ticks every few seconds). */
export const PRUNE_EVERY_MS = 5 * 60_000;
const lastPruned = new WeakMap<Database, number>();

/**
 * The maintenance loop's monitoring step: enforce retention, at most every {@link PRUNE_EVERY_MS}.
 * Returns what was deleted, or undefined when it was not yet time.
 */
export async function maintainMonitoring(deps: {
  db: Database;
  now: () => Date;
  monitoringRetention?: MonitoringRetention | undefined;
}): Promise<PruneResult | undefined> {
  const now = deps.now();
  const last = lastPruned.get(deps.db);
  if (last !== undefined && now.getTime() - last < PRUNE_EVERY_MS) return undefined;
  lastPruned.set(deps.db, now.getTime());
  return pruneMonitoring(deps.db, now, deps.monitoringRetention ?? DEFAULT_MONITORING_RETENTION);
}
