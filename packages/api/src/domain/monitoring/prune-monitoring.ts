import { sql } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { DEFAULT_HOURLY_DAYS, type MonitoringRetention } from './retention.js';

export interface PruneResult {
  rawDeleted: number;
  rollupsDeleted: number;
  hourlyDeleted: number;
}

async function deleteOlder(
  db: Database,
  table: typeof schema.monitoringSamples | typeof schema.monitoringRollups | typeof schema.monitoringHourly,
  before: Date,
): Promise<number> {
  // Counted in SQL: the deleted rows never come to this process.
  const result = await db.execute(sql`
    with deleted as (delete from ${table} where ${table.at} < ${before.toISOString()}::timestamptz returning 1)
    select count(*)::int as count from deleted`);
  return (result as unknown as { rows: { count: number }[] }).rows[0]?.count ?? 0;
}

/**
 * Delete raw samples older than `rawHours`, five-minute averages older than `rollupDays` and
 * hourly averages older than `hourlyDays` (their BRIN indexes find the old rows). Latest values
 * stay: they are one row per series.
 */
export async function pruneMonitoring(db: Database, now: Date, retention: MonitoringRetention): Promise<PruneResult> {
  const rawBefore = new Date(now.getTime() - retention.rawHours * 3_600_000);
  const rollupsBefore = new Date(now.getTime() - retention.rollupDays * 86_400_000);
  const hourlyBefore = new Date(now.getTime() - (retention.hourlyDays ?? DEFAULT_HOURLY_DAYS) * 86_400_000);
  return {
    rawDeleted: await deleteOlder(db, schema.monitoringSamples, rawBefore),
    rollupsDeleted: await deleteOlder(db, schema.monitoringRollups, rollupsBefore),
    hourlyDeleted: await deleteOlder(db, schema.monitoringHourly, hourlyBefore),
  };
}
