import { eq, inArray } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import type { CloudDependencies } from '../../dependencies.js';
import type { UnitEventKind } from '../../unit-events/unit-events.js';

type Deps = Pick<CloudDependencies, 'db' | 'unitEvents'>;

/**
 * Tell every cloud process that these units' desired status (or access) may have changed. An
 * announcement that cannot be sent does not fail the change that caused it: the database is the
 * truth, and a unit that missed one gets the current status at its next connect.
 */
export async function announceUnits(
  deps: Pick<CloudDependencies, 'unitEvents'>,
  unitIds: Iterable<string>,
  kind: UnitEventKind = 'desired-changed',
): Promise<void> {
  const ids = [...new Set(unitIds)];
  if (ids.length === 0) return;
  await deps.unitEvents.announce({ kind, unitIds: ids }).catch(() => undefined);
}

/** Units a subject binds, directly or through unit sets. */
export async function unitsOfSubjects(db: Database, subjectIds: string[]): Promise<string[]> {
  if (subjectIds.length === 0) return [];
  const direct = await db
    .select({ unitId: schema.subjectUnits.unitId })
    .from(schema.subjectUnits)
    .where(inArray(schema.subjectUnits.subjectId, subjectIds));
  const sets = await db
    .select({ unitSetId: schema.subjectUnitSets.unitSetId })
    .from(schema.subjectUnitSets)
    .where(inArray(schema.subjectUnitSets.subjectId, subjectIds));
  return [
    ...direct.map((row) => row.unitId),
    ...(await unitsOfUnitSets(
      db,
      sets.map((row) => row.unitSetId),
    )),
  ];
}

/** Members of unit sets. */
export async function unitsOfUnitSets(db: Database, unitSetIds: string[]): Promise<string[]> {
  if (unitSetIds.length === 0) return [];
  const rows = await db
    .select({ unitId: schema.unitSetUnits.unitId })
    .from(schema.unitSetUnits)
    .where(inArray(schema.unitSetUnits.unitSetId, unitSetIds));
  return rows.map((row) => row.unitId);
}

/** Units that get a service through some subject. */
export async function unitsOfService(db: Database, serviceId: string): Promise<string[]> {
  const subjects = await db
    .select({ subjectId: schema.subjectServices.subjectId })
    .from(schema.subjectServices)
    .where(eq(schema.subjectServices.serviceId, serviceId));
  return unitsOfSubjects(
    db,
    subjects.map((row) => row.subjectId),
  );
}

/** A version of the service became ready or approved, or was deleted: its bound units recompute. */
export async function announceServiceChange(deps: Deps, serviceId: string): Promise<void> {
  await announceUnits(deps, await unitsOfService(deps.db, serviceId));
  await announceCatalogueChange(deps, serviceId);
}

/** The service or one of its versions changed in the catalogue: the views that list them look again. */
export async function announceCatalogueChange(
  deps: Pick<CloudDependencies, 'unitEvents'>,
  serviceId: string,
): Promise<void> {
  await deps.unitEvents
    .announce({ kind: 'catalogue-changed', unitIds: [], serviceIds: [serviceId] })
    .catch(() => undefined);
}
