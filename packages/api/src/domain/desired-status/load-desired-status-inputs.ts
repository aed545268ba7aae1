import { and, eq, inArray } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { loadRolloutFacts } from '../rollouts/load-pins.js';
import type { DesiredStatusInputs } from './compute-desired-status.js';

/** The rows {@link computeDesiredStatus} needs for one unit (a handful of indexed queries). */
export async function loadDesiredStatusInputs(db: Database, unitId: string): Promise<DesiredStatusInputs> {
  const memberships = await db
    .select({ id: schema.unitSets.id, isVerificationSet: schema.unitSets.isVerificationSet })
    .from(schema.unitSetUnits)
    .innerJoin(schema.unitSets, eq(schema.unitSetUnits.unitSetId, schema.unitSets.id))
    .where(eq(schema.unitSetUnits.unitId, unitId));
  const direct = await db
    .select({ subjectId: schema.subjectUnits.subjectId })
    .from(schema.subjectUnits)
    .where(eq(schema.subjectUnits.unitId, unitId));
  const viaSets =
    memberships.length === 0
      ? []
      : await db
          .select({ subjectId: schema.subjectUnitSets.subjectId })
          .from(schema.subjectUnitSets)
          .where(
            inArray(
              schema.subjectUnitSets.unitSetId,
              memberships.map((set) => set.id),
            ),
          );
  const subjectIds = [...new Set([...direct, ...viaSets].map((row) => row.subjectId))];
  const subjects =
    subjectIds.length === 0
      ? []
      : await db
          .select({ id: schema.subjects.id, name: schema.subjects.name, type: schema.subjects.type })
          .from(schema.subjects)
          .where(inArray(schema.subjects.id, subjectIds));
  const bindings =
    subjectIds.length === 0
      ? []
      : await db
          .select({ subjectId: schema.subjectServices.subjectId, serviceId: schema.subjectServices.serviceId })
          .from(schema.subjectServices)
          .where(inArray(schema.subjectServices.subjectId, subjectIds));
  const serviceIds = [...new Set(bindings.map((binding) => binding.serviceId))];
  const services =
    serviceIds.length === 0
      ? []
      : await db
          .select({
            id: schema.services.id,
            title: schema.services.title,
            ownerId: schema.organisations.id,
            ownerTitle: schema.organisations.name,
          })
          .from(schema.services)
          .innerJoin(schema.organisations, eq(schema.services.organisationId, schema.organisations.id))
          .where(inArray(schema.services.id, serviceIds));
  const versions =
    serviceIds.length === 0
      ? []
      : await db
          .select({
            id: schema.serviceVersions.id,
            serviceId: schema.serviceVersions.serviceId,
            version: schema.serviceVersions.version,
            state: schema.serviceVersions.state,
            indexDigest: schema.serviceVersions.indexDigest,
            configSummary: schema.serviceVersions.configSummary,
          })
          .from(schema.serviceVersions)
          .where(
            and(
              inArray(schema.serviceVersions.serviceId, serviceIds),
              inArray(schema.serviceVersions.state, ['ready', 'approved']),
            ),
          );
  const [previous] = await db
    .select({ document: schema.unitDesiredStatuses.document })
    .from(schema.unitDesiredStatuses)
    .where(eq(schema.unitDesiredStatuses.unitId, unitId));
  const rollouts = await loadRolloutFacts(db, unitId, subjectIds, serviceIds);
  return {
    isVerificationUnit: memberships.some((set) => set.isVerificationSet),
    rolloutPins: rollouts.pins.map(({ serviceId, version }) => ({ serviceId, version })),
    heldVersionIds: rollouts.heldVersionIds,
    subjects,
    bindings,
    services,
    versions: versions.map(({ configSummary, ...version }) => ({ ...version, instances: configSummary?.instances })),
    previousItems: readPreviousItems(previous?.document),
  };
}

/** The items of a stored desired-status document, as {@link computeDesiredStatus} compares them. */
export function readPreviousItems(document: Record<string, unknown> | undefined): DesiredStatusInputs['previousItems'] {
  const items = Array.isArray(document?.items) ? (document.items as unknown[]) : [];
  return items.flatMap((entry) => {
    const item = entry as { item?: { id?: unknown }; version?: unknown; isRollback?: unknown };
    if (typeof item.item?.id !== 'string' || typeof item.version !== 'string') return [];
    return [{ serviceId: item.item.id, version: item.version, isRollback: item.isRollback === true }];
  });
}
