import { and, asc, eq, inArray } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import type { Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { announceUnits, unitsOfSubjects, unitsOfUnitSets } from './desired-status/announce.js';
import { requireOwnedUnitSets } from './unit-sets.js';
import { requireOem, requireOwnedUnits } from './units.js';
import { notFound, onlyRow, toIso, withUniqueCheck } from './util.js';

export type SubjectType = 'group' | 'user';

export interface SubjectView {
  id: string;
  name: string;
  type: SubjectType;
  createdAt: string;
  services: { id: string; title: string }[];
  units: { id: string; systemId: string }[];
  unitSets: { id: string; name: string; isVerificationSet: boolean }[];
}

async function findOwned(db: Database, organisationId: string, id: string) {
  const [row] = await db
    .select()
    .from(schema.subjects)
    .where(and(eq(schema.subjects.id, id), eq(schema.subjects.organisationId, organisationId)));
  if (!row) throw notFound('subject', id);
  return row;
}

async function toViews(db: Database, rows: (typeof schema.subjects.$inferSelect)[]): Promise<SubjectView[]> {
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return [];
  const services = await db
    .select({ subjectId: schema.subjectServices.subjectId, id: schema.services.id, title: schema.services.title })
    .from(schema.subjectServices)
    .innerJoin(schema.services, eq(schema.subjectServices.serviceId, schema.services.id))
    .where(inArray(schema.subjectServices.subjectId, ids));
  const units = await db
    .select({ subjectId: schema.subjectUnits.subjectId, id: schema.units.id, systemId: schema.units.systemId })
    .from(schema.subjectUnits)
    .innerJoin(schema.units, eq(schema.subjectUnits.unitId, schema.units.id))
    .where(inArray(schema.subjectUnits.subjectId, ids));
  const unitSets = await db
    .select({
      subjectId: schema.subjectUnitSets.subjectId,
      id: schema.unitSets.id,
      name: schema.unitSets.name,
      isVerificationSet: schema.unitSets.isVerificationSet,
    })
    .from(schema.subjectUnitSets)
    .innerJoin(schema.unitSets, eq(schema.subjectUnitSets.unitSetId, schema.unitSets.id))
    .where(inArray(schema.subjectUnitSets.subjectId, ids));
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    type: row.type,
    createdAt: toIso(row.createdAt),
    services: services.filter((s) => s.subjectId === row.id).map(({ id, title }) => ({ id, title })),
    units: units.filter((u) => u.subjectId === row.id).map(({ id, systemId }) => ({ id, systemId })),
    unitSets: unitSets
      .filter((u) => u.subjectId === row.id)
      .map(({ id, name, isVerificationSet }) => ({ id, name, isVerificationSet })),
  }));
}

export async function list(db: Database, actor: Actor): Promise<SubjectView[]> {
  const organisationId = requireOem(actor, 'listing subjects');
  const rows = await db
    .select()
    .from(schema.subjects)
    .where(eq(schema.subjects.organisationId, organisationId))
    .orderBy(asc(schema.subjects.name));
  return toViews(db, rows);
}

export async function get(db: Database, actor: Actor, input: { id: string }): Promise<SubjectView> {
  const organisationId = requireOem(actor, 'showing a subject');
  const [view] = await toViews(db, [await findOwned(db, organisationId, input.id)]);
  if (!view) throw notFound('subject', input.id);
  return view;
}

export async function create(
  db: Database,
  actor: Actor,
  input: { name: string; type?: SubjectType },
): Promise<SubjectView> {
  const organisationId = requireOem(actor, 'creating a subject');
  const rows = await withUniqueCheck(
    () =>
      db
        .insert(schema.subjects)
        .values({ organisationId, name: input.name.trim(), type: input.type ?? 'group' })
        .returning(),
    `creating subject "${input.name}": your organisation has a subject with that name`,
  );
  const doing = `creating subject "${input.name}"`;
  return onlyRow(await toViews(db, [onlyRow(rows, doing)]), doing);
}

/** What bind/unbind/update/remove of a subject need: the database and the announcement bus. */
type Deps = Pick<CloudDependencies, 'db' | 'unitEvents'>;

export async function update(
  deps: Deps,
  actor: Actor,
  input: { id: string; name?: string; type?: SubjectType },
): Promise<SubjectView> {
  const db = deps.db;
  const organisationId = requireOem(actor, 'changing a subject');
  await findOwned(db, organisationId, input.id);
  await withUniqueCheck(
    () =>
      db
        .update(schema.subjects)
        .set({
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          ...(input.type !== undefined ? { type: input.type } : {}),
        })
        .where(eq(schema.subjects.id, input.id)),
    `renaming subject to "${input.name}": your organisation has a subject with that name`,
  );
  // Name and type are in the desired status of the units it binds.
  await announceUnits(deps, await unitsOfSubjects(db, [input.id]));
  return get(db, actor, { id: input.id });
}

/** Delete a subject and its bindings; the services, units and unit sets stay. */
export async function remove(deps: Deps, actor: Actor, input: { id: string }): Promise<void> {
  const db = deps.db;
  const organisationId = requireOem(actor, 'deleting a subject');
  await findOwned(db, organisationId, input.id);
  const affected = await unitsOfSubjects(db, [input.id]);
  await db.delete(schema.subjects).where(eq(schema.subjects.id, input.id));
  await announceUnits(deps, affected);
}

export interface BindingInput {
  id: string;
  serviceIds?: string[];
  unitIds?: string[];
  unitSetIds?: string[];
}

/** Bind services (of any SP), units and unit sets (of the OEM's organisation) to a subject. Idempotent. */
export async function bind(deps: Deps, actor: Actor, input: BindingInput): Promise<SubjectView> {
  const db = deps.db;
  const organisationId = requireOem(actor, 'binding to a subject');
  await findOwned(db, organisationId, input.id);
  const serviceIds = input.serviceIds ?? [];
  const unitIds = input.unitIds ?? [];
  const unitSetIds = input.unitSetIds ?? [];
  if (serviceIds.length) {
    const found = await db
      .select({ id: schema.services.id })
      .from(schema.services)
      .where(inArray(schema.services.id, serviceIds));
    const missing = serviceIds.find((id) => !found.some((row) => row.id === id));
    if (missing) throw notFound('service', missing);
  }
  await requireOwnedUnits(db, organisationId, unitIds);
  await requireOwnedUnitSets(db, organisationId, unitSetIds);
  await db.transaction(async (tx) => {
    if (serviceIds.length)
      await tx
        .insert(schema.subjectServices)
        .values(serviceIds.map((serviceId) => ({ subjectId: input.id, serviceId })))
        .onConflictDoNothing();
    if (unitIds.length)
      await tx
        .insert(schema.subjectUnits)
        .values(unitIds.map((unitId) => ({ subjectId: input.id, unitId })))
        .onConflictDoNothing();
    if (unitSetIds.length)
      await tx
        .insert(schema.subjectUnitSets)
        .values(unitSetIds.map((unitSetId) => ({ subjectId: input.id, unitSetId })))
        .onConflictDoNothing();
  });
  // Every unit the subject binds now (new services reach all of them; new units get all services).
  await announceUnits(deps, await unitsOfSubjects(db, [input.id]));
  return get(db, actor, { id: input.id });
}

export async function unbind(deps: Deps, actor: Actor, input: BindingInput): Promise<SubjectView> {
  const db = deps.db;
  const organisationId = requireOem(actor, 'unbinding from a subject');
  await findOwned(db, organisationId, input.id);
  // Units it bound before (those unbound included): computed first, the rows are gone after.
  const affected = [
    ...(await unitsOfSubjects(db, [input.id])),
    ...(input.unitIds ?? []),
    ...(await unitsOfUnitSets(db, input.unitSetIds ?? [])),
  ];
  await db.transaction(async (tx) => {
    if (input.serviceIds?.length)
      await tx
        .delete(schema.subjectServices)
        .where(
          and(
            eq(schema.subjectServices.subjectId, input.id),
            inArray(schema.subjectServices.serviceId, input.serviceIds),
          ),
        );
    if (input.unitIds?.length)
      await tx
        .delete(schema.subjectUnits)
        .where(and(eq(schema.subjectUnits.subjectId, input.id), inArray(schema.subjectUnits.unitId, input.unitIds)));
    if (input.unitSetIds?.length)
      await tx
        .delete(schema.subjectUnitSets)
        .where(
          and(
            eq(schema.subjectUnitSets.subjectId, input.id),
            inArray(schema.subjectUnitSets.unitSetId, input.unitSetIds),
          ),
        );
  });
  await announceUnits(deps, affected);
  return get(db, actor, { id: input.id });
}
