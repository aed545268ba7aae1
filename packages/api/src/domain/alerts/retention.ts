import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';

/**
 * How long alerts are kept (docs/alerts-and-state.md "Retention"): per unit the newest
 * `perUnit` rows, none older than `maxAgeDays`; an active quota episode is never pruned (it
 * ends when its fall comes). Bounded whatever a unit sends: at most `perUnit` inactive rows
 * plus one active row per (instance or node, parameter).
 */
export const ALERT_RETENTION = { perUnit: 1000, maxAgeDays: 30 } as const;

/** Apply the retention to one unit's alerts (after recording a batch). Returns the rows removed. */
export async function pruneUnitAlerts(
  db: Database,
  unitId: string,
  now: Date,
  retention: { perUnit: number; maxAgeDays: number } = ALERT_RETENTION,
): Promise<number> {
  const cutoff = new Date(now.getTime() - retention.maxAgeDays * 86_400_000);
  const old = await db
    .delete(schema.unitAlerts)
    .where(
      and(
        eq(schema.unitAlerts.unitId, unitId),
        eq(schema.unitAlerts.active, false),
        lt(schema.unitAlerts.lastAt, cutoff),
      ),
    )
    .returning({ id: schema.unitAlerts.id });
  // The rows past the newest `perUnit` (ordered by their last event, then id).
  const extra = await db
    .select({ id: schema.unitAlerts.id })
    .from(schema.unitAlerts)
    .where(and(eq(schema.unitAlerts.unitId, unitId), eq(schema.unitAlerts.active, false)))
    .orderBy(sql`${schema.unitAlerts.lastAt} desc, ${schema.unitAlerts.id} desc`)
    .offset(retention.perUnit);
  if (extra.length === 0) return old.length;
  await db.delete(schema.unitAlerts).where(
    inArray(
      schema.unitAlerts.id,
      extra.map((row) => row.id),
    ),
  );
  return old.length + extra.length;
}
