import { and, eq, inArray } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import type { RolloutStatus, RolloutUnitState } from '../rollouts/decide.js';
import { resolveRolloutPins, type RolloutForUnit } from '../rollouts/resolve-pins.js';
import type { DesiredStatusInputs } from './compute-desired-status.js';
import { inSlices } from '../util.js';

/** The desired status last issued to a unit, as stored. */
export interface StoredDesiredStatus {
  generation: number;
  digest: string;
  document: Record<string, unknown>;
}

export interface LoadedUnitInputs {
  inputs: DesiredStatusInputs;
  /** The row last issued to the unit, if any. */
  current: StoredDesiredStatus | undefined;
}

/** The most units one set of queries covers (bounded `IN` lists; callers pass any number). */
export const MAX_UNITS_PER_LOAD = 1000;

/** The rows {@link computeDesiredStatus} needs for one unit. */
export async function loadDesiredStatusInputs(db: Database, unitId: string): Promise<DesiredStatusInputs> {
  const loaded = (await loadDesiredStatusInputsOf(db, [unitId])).get(unitId);
  if (!loaded) throw new Error(`loading the desired status inputs of unit ${unitId}: not loaded`);
  return loaded.inputs;
}

/**
 * The rows {@link computeDesiredStatus} needs for a set of units, set-based: the same ten queries
 * whatever the number of units (per {@link MAX_UNITS_PER_LOAD}), assembled per unit in memory. The
 * unit's rollout pins come from domain/rollouts' resolveRolloutPins over the rollouts of its
 * services on its subjects, with its own rollout_units row. A unit that does not exist gets empty
 * inputs.
 */
export async function loadDesiredStatusInputsOf(
  db: Database,
  unitIds: readonly string[],
): Promise<Map<string, LoadedUnitInputs>> {
  const result = new Map<string, LoadedUnitInputs>();
  const unique = [...new Set(unitIds)];
  for (const chunk of inSlices(unique, MAX_UNITS_PER_LOAD))
    for (const [unitId, loaded] of await loadChunk(db, chunk)) result.set(unitId, loaded);
  return result;
}

async function loadChunk(db: Database, unitIds: string[]): Promise<Map<string, LoadedUnitInputs>> {
  const memberships = await db
    .select({
      unitId: schema.unitSetUnits.unitId,
      id: schema.unitSets.id,
      isVerificationSet: schema.unitSets.isVerificationSet,
    })
    .from(schema.unitSetUnits)
    .innerJoin(schema.unitSets, eq(schema.unitSetUnits.unitSetId, schema.unitSets.id))
    .where(inArray(schema.unitSetUnits.unitId, unitIds));
  const direct = await db
    .select({ unitId: schema.subjectUnits.unitId, subjectId: schema.subjectUnits.subjectId })
    .from(schema.subjectUnits)
    .where(inArray(schema.subjectUnits.unitId, unitIds));
  const setIds = [...new Set(memberships.map((row) => row.id))];
  const viaSets =
    setIds.length === 0
      ? []
      : await db
          .select({ unitSetId: schema.subjectUnitSets.unitSetId, subjectId: schema.subjectUnitSets.subjectId })
          .from(schema.subjectUnitSets)
          .where(inArray(schema.subjectUnitSets.unitSetId, setIds));
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
  const stored = await db
    .select({
      unitId: schema.unitDesiredStatuses.unitId,
      generation: schema.unitDesiredStatuses.generation,
      digest: schema.unitDesiredStatuses.digest,
      document: schema.unitDesiredStatuses.document,
    })
    .from(schema.unitDesiredStatuses)
    .where(inArray(schema.unitDesiredStatuses.unitId, unitIds));
  const rollouts = await loadRollouts(db, unitIds, subjectIds, serviceIds);

  // Per unit, in memory.
  const setsOfUnit = groupBy(memberships, (row) => row.unitId);
  const directOfUnit = groupBy(direct, (row) => row.unitId);
  const subjectsOfSet = groupBy(viaSets, (row) => row.unitSetId);
  const subjectById = new Map(subjects.map((subject) => [subject.id, subject]));
  const bindingsOfSubject = groupBy(bindings, (binding) => binding.subjectId);
  const serviceById = new Map(services.map((service) => [service.id, service]));
  const versionsOfService = groupBy(versions, (version) => version.serviceId);
  const storedOfUnit = new Map(stored.map((row) => [row.unitId, row]));
  const result = new Map<string, LoadedUnitInputs>();
  for (const unitId of unitIds) {
    const sets = setsOfUnit.get(unitId) ?? [];
    const unitSubjectIds = [
      ...new Set([
        ...(directOfUnit.get(unitId) ?? []).map((row) => row.subjectId),
        ...sets.flatMap((set) => (subjectsOfSet.get(set.id) ?? []).map((row) => row.subjectId)),
      ]),
    ];
    const unitBindings = unitSubjectIds.flatMap((subjectId) => bindingsOfSubject.get(subjectId) ?? []);
    const unitServiceIds = [...new Set(unitBindings.map((binding) => binding.serviceId))];
    const facts = rollouts.factsOf(unitId, unitSubjectIds, unitServiceIds);
    const current = storedOfUnit.get(unitId);
    result.set(unitId, {
      inputs: {
        isVerificationUnit: sets.some((set) => set.isVerificationSet),
        rolloutPins: facts.pins,
        heldVersionIds: facts.heldVersionIds,
        subjects: unitSubjectIds.flatMap((subjectId) => {
          const subject = subjectById.get(subjectId);
          return subject ? [subject] : [];
        }),
        bindings: unitBindings,
        services: unitServiceIds.flatMap((serviceId) => {
          const service = serviceById.get(serviceId);
          return service ? [service] : [];
        }),
        versions: unitServiceIds.flatMap((serviceId) =>
          (versionsOfService.get(serviceId) ?? []).map(({ configSummary, ...version }) => ({
            ...version,
            instances: configSummary?.instances,
          })),
        ),
        previousItems: readPreviousItems(current?.document),
      },
      current: current && { generation: current.generation, digest: current.digest, document: current.document },
    });
  }
  return result;
}

/**
 * The rollout rows of the units' services on their subjects (two queries for all the units), and
 * per unit: its pins (resolveRolloutPins) and the versions of its services held by an unfinished
 * rollout (running, paused or aborted).
 */
async function loadRollouts(
  db: Database,
  unitIds: string[],
  subjectIds: string[],
  serviceIds: string[],
): Promise<{
  factsOf(
    unitId: string,
    subjectIds: string[],
    serviceIds: string[],
  ): { pins: { serviceId: string; version: string | null }[]; heldVersionIds: string[] };
}> {
  if (serviceIds.length === 0) return { factsOf: () => ({ pins: [], heldVersionIds: [] }) };
  const rollouts = await db
    .select({
      rolloutId: schema.rollouts.id,
      serviceId: schema.rollouts.serviceId,
      subjectId: schema.rollouts.subjectId,
      versionId: schema.rollouts.versionId,
      status: schema.rollouts.status,
      version: schema.rollouts.version,
      baselineVersion: schema.rollouts.baselineVersion,
      createdAt: schema.rollouts.createdAt,
      currentWave: schema.rollouts.currentWave,
    })
    .from(schema.rollouts)
    .where(inArray(schema.rollouts.serviceId, serviceIds));
  const held = rollouts.filter((row) => ['running', 'paused', 'aborted'].includes(row.status));
  const subjectSet = new Set(subjectIds);
  const relevant = rollouts.filter((row) => subjectSet.has(row.subjectId));
  const members =
    relevant.length === 0
      ? []
      : await db
          .select({
            rolloutId: schema.rolloutUnits.rolloutId,
            unitId: schema.rolloutUnits.unitId,
            wave: schema.rolloutUnits.wave,
            state: schema.rolloutUnits.state,
            fromVersion: schema.rolloutUnits.fromVersion,
          })
          .from(schema.rolloutUnits)
          .where(
            and(
              inArray(
                schema.rolloutUnits.rolloutId,
                relevant.map((row) => row.rolloutId),
              ),
              inArray(schema.rolloutUnits.unitId, unitIds),
            ),
          );
  const memberOf = new Map(members.map((row) => [`${row.rolloutId}/${row.unitId}`, row]));
  return {
    factsOf(unitId, unitSubjectIds, unitServiceIds) {
      if (unitServiceIds.length === 0) return { pins: [], heldVersionIds: [] };
      const services = new Set(unitServiceIds);
      const heldVersionIds = [
        ...new Set(held.filter((row) => services.has(row.serviceId)).map((row) => row.versionId)),
      ];
      if (unitSubjectIds.length === 0) return { pins: [], heldVersionIds };
      const subjectsOfUnit = new Set(unitSubjectIds);
      const candidates: RolloutForUnit[] = relevant
        .filter((row) => services.has(row.serviceId) && subjectsOfUnit.has(row.subjectId))
        .map((row) => {
          const member = memberOf.get(`${row.rolloutId}/${unitId}`);
          return {
            rolloutId: row.rolloutId,
            serviceId: row.serviceId,
            status: row.status as RolloutStatus,
            version: row.version,
            baselineVersion: row.baselineVersion,
            createdAt: row.createdAt,
            currentWave: row.currentWave,
            member: member
              ? { wave: member.wave, state: member.state as RolloutUnitState, fromVersion: member.fromVersion }
              : null,
          };
        });
      const pins = resolveRolloutPins(candidates).map(({ serviceId, version }) => ({ serviceId, version }));
      return { pins, heldVersionIds };
    },
  };
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const id = key(row);
    const group = groups.get(id);
    if (group) group.push(row);
    else groups.set(id, [row]);
  }
  return groups;
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
