import { and, eq, inArray, isNull, notInArray, or, sql } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { CloudDependencies } from '../../dependencies.js';

type Deps = Pick<CloudDependencies, 'db' | 'now' | 'process'>;

/** The unit's socket is now held by this process: online, last seen now, and a history row. */
export async function markUnitOnline(deps: Deps, unitId: string): Promise<void> {
  await markUnitsOnline(deps, [unitId]);
}

/** {@link markUnitOnline} for many units: two statements in one transaction (units that no longer exist are skipped). */
export async function markUnitsOnline(deps: Deps, unitIds: string[]): Promise<void> {
  const ids = [...new Set(unitIds)];
  if (ids.length === 0) return;
  const at = deps.now();
  await deps.db.transaction(async (tx) => {
    const rows = await tx
      .update(schema.units)
      .set({ connection: 'online', connectedProcess: deps.process.id, lastSeenAt: at })
      .where(inArray(schema.units.id, ids))
      .returning({ id: schema.units.id });
    if (rows.length === 0) return;
    await tx
      .insert(schema.unitStatusEvents)
      .values(rows.map((row) => ({ unitId: row.id, at, kind: 'connection', state: 'online' })));
  });
}

/**
 * The unit's socket held by this process closed: offline since now. Does nothing when another
 * process (or a newer socket) holds the unit meanwhile. Returns whether it marked the unit offline.
 */
export async function markUnitOffline(deps: Deps, unitId: string): Promise<boolean> {
  return (await markUnitsOffline(deps, [unitId])).has(unitId);
}

/** {@link markUnitOffline} for many units (two statements in one transaction); returns the ids of those marked offline. */
export async function markUnitsOffline(deps: Deps, unitIds: string[]): Promise<Set<string>> {
  const ids = [...new Set(unitIds)];
  if (ids.length === 0) return new Set();
  const at = deps.now();
  return deps.db.transaction(async (tx) => {
    const rows = await tx
      .update(schema.units)
      .set({ connection: 'offline', connectedProcess: null, lastSeenAt: at })
      .where(and(inArray(schema.units.id, ids), eq(schema.units.connectedProcess, deps.process.id)))
      .returning({ id: schema.units.id });
    if (rows.length === 0) return new Set<string>();
    await tx
      .insert(schema.unitStatusEvents)
      .values(rows.map((row) => ({ unitId: row.id, at, kind: 'connection', state: 'offline' })));
    return new Set(rows.map((row) => row.id));
  });
}

/** Keep `last_seen_at` fresh for the units whose sockets this process holds (heartbeat). */
export async function touchConnectedUnits(deps: Deps, unitIds: string[]): Promise<void> {
  if (unitIds.length === 0) return;
  await deps.db
    .update(schema.units)
    .set({ lastSeenAt: deps.now() })
    .where(and(inArray(schema.units.id, unitIds), eq(schema.units.connectedProcess, deps.process.id)));
}

/**
 * Units marked online by a process that is gone (its row removed, or its heartbeat older than the
 * lease): offline, last seen when that process last vouched for them, with their history rows in the
 * same transaction (a reader never sees one without the other). Returns their ids.
 */
export async function markOrphanedUnitsOffline(
  deps: Pick<CloudDependencies, 'db' | 'process'>,
  liveProcessIds: string[],
): Promise<string[]> {
  return deps.db.transaction(async (tx) => {
    const rows = await tx
      .update(schema.units)
      .set({ connection: 'offline', connectedProcess: null })
      .where(
        and(
          eq(schema.units.connection, 'online'),
          or(
            isNull(schema.units.connectedProcess),
            liveProcessIds.length > 0 ? notInArray(schema.units.connectedProcess, liveProcessIds) : sql`true`,
          ),
        ),
      )
      .returning({ id: schema.units.id, lastSeenAt: schema.units.lastSeenAt });
    if (rows.length > 0) {
      await tx.insert(schema.unitStatusEvents).values(
        rows.map((row) => ({
          unitId: row.id,
          at: row.lastSeenAt ?? new Date(),
          kind: 'connection',
          state: 'offline',
        })),
      );
    }
    return rows.map((row) => row.id);
  });
}
