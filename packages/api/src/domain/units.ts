import { and, asc, eq, inArray } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { requireOrganisation, requireRole, type Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { listBindingSubjects, refuseDeleteWhileBound } from './binding-subjects.js';
import { announceUnits } from './desired-status/announce.js';
import { notFound, onlyRow, toIso, withUniqueCheck } from './util.js';

export interface UnitView {
  id: string;
  systemId: string;
  model: string;
  state: 'new' | 'provisioned';
  connection: 'online' | 'offline';
  lastSeenAt: string | null;
  createdAt: string;
}

export function toUnitView(row: typeof schema.units.$inferSelect): UnitView {
  return {
    id: row.id,
    systemId: row.systemId,
    model: row.model,
    state: row.state,
    connection: row.connection,
    lastSeenAt: toIso(row.lastSeenAt),
    createdAt: toIso(row.createdAt),
  };
}

/** Units, unit sets and subjects are the OEM's: every call needs an OEM user and stays in its organisation. */
export function requireOem(actor: Actor, action: string): string {
  requireRole(actor, ['oem'], action);
  return requireOrganisation(actor, action);
}

export async function list(db: Database, actor: Actor): Promise<UnitView[]> {
  const organisationId = requireOem(actor, 'listing units');
  const rows = await db
    .select()
    .from(schema.units)
    .where(eq(schema.units.organisationId, organisationId))
    .orderBy(asc(schema.units.systemId));
  return rows.map(toUnitView);
}

export async function findOwned(db: Database, organisationId: string, id: string) {
  const [row] = await db
    .select()
    .from(schema.units)
    .where(and(eq(schema.units.id, id), eq(schema.units.organisationId, organisationId)));
  if (!row) throw notFound('unit', id);
  return row;
}

/** The given unit IDs, all owned by the organisation; not-found names the first that is not. */
export async function requireOwnedUnits(db: Database, organisationId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const rows = await db
    .select({ id: schema.units.id })
    .from(schema.units)
    .where(and(inArray(schema.units.id, ids), eq(schema.units.organisationId, organisationId)));
  const found = new Set(rows.map((row) => row.id));
  const missing = ids.find((id) => !found.has(id));
  if (missing) throw notFound('unit', missing);
}

export async function get(
  db: Database,
  actor: Actor,
  input: { id: string },
): Promise<UnitView & { unitSets: { id: string; name: string }[]; subjects: { id: string; name: string }[] }> {
  const organisationId = requireOem(actor, 'showing a unit');
  const unit = await findOwned(db, organisationId, input.id);
  const unitSets = await db
    .select({ id: schema.unitSets.id, name: schema.unitSets.name })
    .from(schema.unitSetUnits)
    .innerJoin(schema.unitSets, eq(schema.unitSetUnits.unitSetId, schema.unitSets.id))
    .where(eq(schema.unitSetUnits.unitId, input.id));
  const subjects = await listBindingSubjects(db, { unitId: input.id });
  return { ...toUnitView(unit), unitSets, subjects };
}

/** Register a unit by its system ID before it is provisioned; it starts as `new` and offline. */
export async function create(
  db: Database,
  actor: Actor,
  input: { systemId: string; model: string },
): Promise<UnitView> {
  const organisationId = requireOem(actor, 'registering a unit');
  const rows = await withUniqueCheck(
    () =>
      db
        .insert(schema.units)
        .values({ organisationId, systemId: input.systemId.trim(), model: input.model.trim() })
        .returning(),
    `registering unit ${input.systemId}: a unit with that system ID is registered already`,
  );
  return toUnitView(onlyRow(rows, `registering unit ${input.systemId}`));
}

export async function update(db: Database, actor: Actor, input: { id: string; model?: string }): Promise<UnitView> {
  const organisationId = requireOem(actor, 'changing a unit');
  await findOwned(db, organisationId, input.id);
  const rows = await db
    .update(schema.units)
    .set({ ...(input.model !== undefined ? { model: input.model.trim() } : {}) })
    .where(eq(schema.units.id, input.id))
    .returning();
  const row = rows[0];
  if (!row) throw notFound('unit', input.id);
  return toUnitView(row);
}

/**
 * Delete a unit; refused while a subject binds it directly. Unit set memberships, its status and
 * desired status go with it; a connected unit's socket is closed (announced as `revoked`).
 */
export async function remove(
  deps: Pick<CloudDependencies, 'db' | 'unitEvents'>,
  actor: Actor,
  input: { id: string },
): Promise<void> {
  const db = deps.db;
  const organisationId = requireOem(actor, 'deleting a unit');
  const unit = await findOwned(db, organisationId, input.id);
  await refuseDeleteWhileBound(db, { unitId: input.id }, `deleting unit ${unit.systemId}`);
  await db.delete(schema.units).where(eq(schema.units.id, input.id));
  await announceUnits(deps, [input.id], 'revoked');
}
