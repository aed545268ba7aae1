import { and, asc, eq, inArray } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { requireOrganisation, requireRole, type Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { listBindingSubjects, refuseDeleteWhileBound } from './binding-subjects.js';
import { isOnlineSql, toConnection } from './unit-status/connection.js';
import { announceUnits } from './desired-status/announce.js';
import { notFound, onlyRow, toIso, withUniqueCheck } from './util.js';

export interface UnitView {
  id: string;
  systemId: string;
  model: string;
  state: 'new' | 'provisioned';
  /** `online` only while a live cloud process holds its socket (see unit-status/connection.ts). */
  connection: 'online' | 'offline';
  lastSeenAt: string | null;
  provisionedAt: string | null;
  /** Set while the unit is revoked (refused by the cloud until provisioned again). */
  revokedAt: string | null;
  createdAt: string;
}

/** The view of a unit row; `online` is the lease-checked connection (`isOnlineSql`), never the bare column. */
export function toUnitView(row: typeof schema.units.$inferSelect, online: boolean): UnitView {
  return {
    id: row.id,
    systemId: row.systemId,
    model: row.model,
    state: row.state,
    connection: toConnection(online),
    lastSeenAt: toIso(row.lastSeenAt),
    provisionedAt: toIso(row.provisionedAt),
    revokedAt: toIso(row.revokedAt),
    createdAt: toIso(row.createdAt),
  };
}

/** What reading units needs: the database and the process lease that decides who is online. */
export type UnitReadDependencies = Pick<CloudDependencies, 'db' | 'process'>;

/** Units, unit sets and subjects are the OEM's: every call needs an OEM user and stays in its organisation. */
export function requireOem(actor: Actor, action: string): string {
  requireRole(actor, ['oem'], action);
  return requireOrganisation(actor, action);
}

export async function list(deps: UnitReadDependencies, actor: Actor): Promise<UnitView[]> {
  const organisationId = requireOem(actor, 'listing units');
  const rows = await deps.db
    .select({ unit: schema.units, online: isOnlineSql(deps.process.leaseSeconds) })
    .from(schema.units)
    .where(eq(schema.units.organisationId, organisationId))
    .orderBy(asc(schema.units.systemId));
  return rows.map((row) => toUnitView(row.unit, row.online));
}

export async function findOwned(db: Database, organisationId: string, id: string) {
  const [row] = await db
    .select()
    .from(schema.units)
    .where(and(eq(schema.units.id, id), eq(schema.units.organisationId, organisationId)));
  if (!row) throw notFound('unit', id);
  return row;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A unit of the organisation named by its system ID or its unit ID (the CLI takes either). */
export async function findOwnedByReference(db: Database, organisationId: string, reference: string) {
  const [bySystemId] = await db
    .select()
    .from(schema.units)
    .where(and(eq(schema.units.systemId, reference), eq(schema.units.organisationId, organisationId)));
  if (bySystemId) return bySystemId;
  if (!UUID.test(reference)) throw notFound('unit', reference);
  return findOwned(db, organisationId, reference);
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

/** One unit of the organisation with its lease-checked connection, or not-found. */
export async function readUnitView(deps: UnitReadDependencies, organisationId: string, id: string): Promise<UnitView> {
  const [found] = await deps.db
    .select({ unit: schema.units, online: isOnlineSql(deps.process.leaseSeconds) })
    .from(schema.units)
    .where(and(eq(schema.units.id, id), eq(schema.units.organisationId, organisationId)));
  if (!found) throw notFound('unit', id);
  return toUnitView(found.unit, found.online);
}

export async function get(
  deps: UnitReadDependencies,
  actor: Actor,
  input: { id: string },
): Promise<UnitView & { unitSets: { id: string; name: string }[]; subjects: { id: string; name: string }[] }> {
  const organisationId = requireOem(actor, 'showing a unit');
  const { db } = deps;
  const unit = await readUnitView(deps, organisationId, input.id);
  const unitSets = await db
    .select({ id: schema.unitSets.id, name: schema.unitSets.name })
    .from(schema.unitSetUnits)
    .innerJoin(schema.unitSets, eq(schema.unitSetUnits.unitSetId, schema.unitSets.id))
    .where(eq(schema.unitSetUnits.unitId, input.id));
  const subjects = await listBindingSubjects(db, { unitId: input.id });
  return { ...unit, unitSets, subjects };
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
  // A unit just registered has never connected.
  return toUnitView(onlyRow(rows, `registering unit ${input.systemId}`), false);
}

export async function update(
  deps: UnitReadDependencies,
  actor: Actor,
  input: { id: string; model?: string },
): Promise<UnitView> {
  const organisationId = requireOem(actor, 'changing a unit');
  await findOwned(deps.db, organisationId, input.id);
  const rows = await deps.db
    .update(schema.units)
    .set({ ...(input.model !== undefined ? { model: input.model.trim() } : {}) })
    .where(eq(schema.units.id, input.id))
    .returning({ id: schema.units.id });
  if (!rows[0]) throw notFound('unit', input.id);
  return readUnitView(deps, organisationId, input.id);
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
