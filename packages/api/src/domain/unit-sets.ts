import { and, asc, eq, inArray } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import type { Actor } from '../actor.js';
import { isOnlineSql } from './unit-status/connection.js';
import type { CloudDependencies } from '../dependencies.js';
import { announceUnits, unitsOfUnitSets } from './desired-status/announce.js';
import { listBindingSubjects, refuseDeleteWhileBound } from './binding-subjects.js';
import { requireOem, requireOwnedUnits, toUnitView, type UnitReadDependencies, type UnitView } from './units.js';
import { notFound, onlyRow, toIso, withUniqueCheck } from './util.js';

export interface UnitSetView {
  id: string;
  name: string;
  /**
   * Units in a verification set are to get new versions right after upload, without OEM
   * approval, once the unit link exists (today no unit gets any).
   */
  isVerificationSet: boolean;
  unitCount: number;
  createdAt: string;
}

async function findOwned(db: Database, organisationId: string, id: string) {
  const [row] = await db
    .select()
    .from(schema.unitSets)
    .where(and(eq(schema.unitSets.id, id), eq(schema.unitSets.organisationId, organisationId)));
  if (!row) throw notFound('unit set', id);
  return row;
}

export async function requireOwnedUnitSets(db: Database, organisationId: string, ids: string[]): Promise<void> {
  for (const id of ids) await findOwned(db, organisationId, id);
}

export async function list(db: Database, actor: Actor): Promise<UnitSetView[]> {
  const organisationId = requireOem(actor, 'listing unit sets');
  const rows = await db
    .select()
    .from(schema.unitSets)
    .where(eq(schema.unitSets.organisationId, organisationId))
    .orderBy(asc(schema.unitSets.name));
  const ids = rows.map((row) => row.id);
  const members = ids.length
    ? await db.select().from(schema.unitSetUnits).where(inArray(schema.unitSetUnits.unitSetId, ids))
    : [];
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    isVerificationSet: row.isVerificationSet,
    unitCount: members.filter((member) => member.unitSetId === row.id).length,
    createdAt: toIso(row.createdAt),
  }));
}

export async function get(
  deps: UnitReadDependencies,
  actor: Actor,
  input: { id: string },
): Promise<UnitSetView & { units: UnitView[]; subjects: { id: string; name: string }[] }> {
  const organisationId = requireOem(actor, 'showing a unit set');
  const { db } = deps;
  const row = await findOwned(db, organisationId, input.id);
  const units = await db
    .select({ unit: schema.units, online: isOnlineSql(deps.process.leaseSeconds) })
    .from(schema.unitSetUnits)
    .innerJoin(schema.units, eq(schema.unitSetUnits.unitId, schema.units.id))
    .where(eq(schema.unitSetUnits.unitSetId, input.id));
  const subjects = await listBindingSubjects(db, { unitSetId: input.id });
  return {
    id: row.id,
    name: row.name,
    isVerificationSet: row.isVerificationSet,
    unitCount: units.length,
    createdAt: toIso(row.createdAt),
    units: units.map((entry) => toUnitView(entry.unit, entry.online)),
    subjects,
  };
}

export async function create(
  db: Database,
  actor: Actor,
  input: { name: string; isVerificationSet?: boolean },
): Promise<UnitSetView> {
  const organisationId = requireOem(actor, 'creating a unit set');
  const rows = await withUniqueCheck(
    () =>
      db
        .insert(schema.unitSets)
        .values({ organisationId, name: input.name.trim(), isVerificationSet: input.isVerificationSet ?? false })
        .returning(),
    `creating unit set "${input.name}": your organisation has a unit set with that name`,
  );
  const row = onlyRow(rows, `creating unit set "${input.name}"`);
  return {
    id: row.id,
    name: row.name,
    isVerificationSet: row.isVerificationSet,
    unitCount: 0,
    createdAt: toIso(row.createdAt),
  };
}

/** What membership and flag changes need: the database and the announcement bus. */
type Deps = Pick<CloudDependencies, 'db' | 'unitEvents'>;

export async function update(
  deps: Deps,
  actor: Actor,
  input: { id: string; name?: string; isVerificationSet?: boolean },
): Promise<UnitSetView> {
  const db = deps.db;
  const organisationId = requireOem(actor, 'changing a unit set');
  const before = await findOwned(db, organisationId, input.id);
  await withUniqueCheck(
    () =>
      db
        .update(schema.unitSets)
        .set({
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          ...(input.isVerificationSet !== undefined ? { isVerificationSet: input.isVerificationSet } : {}),
        })
        .where(eq(schema.unitSets.id, input.id)),
    `renaming unit set to "${input.name}": your organisation has a unit set with that name`,
  );
  if (input.isVerificationSet !== undefined && input.isVerificationSet !== before.isVerificationSet) {
    await announceUnits(deps, await unitsOfUnitSets(db, [input.id]));
  }
  const view = (await list(db, actor)).find((set) => set.id === input.id);
  if (!view) throw notFound('unit set', input.id);
  return view;
}

export async function addUnits(deps: Deps, actor: Actor, input: { id: string; unitIds: string[] }): Promise<void> {
  const db = deps.db;
  const organisationId = requireOem(actor, 'adding units to a unit set');
  await findOwned(db, organisationId, input.id);
  await requireOwnedUnits(db, organisationId, input.unitIds);
  if (input.unitIds.length === 0) return;
  await db
    .insert(schema.unitSetUnits)
    .values(input.unitIds.map((unitId) => ({ unitSetId: input.id, unitId })))
    .onConflictDoNothing();
  await announceUnits(deps, input.unitIds);
}

export async function removeUnits(deps: Deps, actor: Actor, input: { id: string; unitIds: string[] }): Promise<void> {
  const db = deps.db;
  const organisationId = requireOem(actor, 'removing units from a unit set');
  await findOwned(db, organisationId, input.id);
  if (input.unitIds.length === 0) return;
  await db
    .delete(schema.unitSetUnits)
    .where(and(eq(schema.unitSetUnits.unitSetId, input.id), inArray(schema.unitSetUnits.unitId, input.unitIds)));
  await announceUnits(deps, input.unitIds);
}

/** Delete a unit set (its units stay); refused while a subject binds it. */
export async function remove(db: Database, actor: Actor, input: { id: string }): Promise<void> {
  const organisationId = requireOem(actor, 'deleting a unit set');
  const row = await findOwned(db, organisationId, input.id);
  await refuseDeleteWhileBound(db, { unitSetId: input.id }, `deleting unit set "${row.name}"`);
  await db.delete(schema.unitSets).where(eq(schema.unitSets.id, input.id));
}
