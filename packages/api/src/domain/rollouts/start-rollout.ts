import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import type { Actor } from '../../actor.js';
import type { CloudDependencies } from '../../dependencies.js';
import { ApiError } from '../../errors.js';
import { announceUnits, unitsOfSubjects } from '../desired-status/announce.js';
import { readPreviousItems } from '../desired-status/load-desired-status-inputs.js';
import { compareSemver } from '../semver.js';
import { requireOem } from '../units.js';
import { databaseErrorCode, inSlices, notFound, onlyRow } from '../util.js';
import { assignWaves } from './assign-waves.js';
import { completePlan, describeWaves, type RolloutPlanInput } from './plan.js';
import { recordRolloutEvent } from './record.js';

const ROLLOUT_UNITS_PER_INSERT = 5_000;

export interface StartRolloutInput {
  versionId: string;
  /** Subjects to roll out on (each must bind the service); default: every subject of yours that binds it. */
  subjectIds?: string[] | undefined;
  plan?: RolloutPlanInput | undefined;
  /** Replace an active rollout of the service on the subject (else starting is refused). */
  supersede?: boolean | undefined;
}

type Deps = Pick<CloudDependencies, 'db' | 'unitEvents' | 'now'>;

/**
 * Start a rollout of an approved (or ready: it is approved first) version on subjects of the OEM's
 * organisation: the subject's units, verification units left out (they have it already), each put
 * in its wave once (assignWaves) with the version it had; the first wave gets the version at once.
 * Returns the ids of the rollouts started, one per subject.
 */
export async function startRollout(deps: Deps, actor: Actor, input: StartRolloutInput): Promise<string[]> {
  const organisationId = requireOem(actor, 'starting a rollout');
  const plan = completePlan(input.plan);
  const [version] = await deps.db
    .select()
    .from(schema.serviceVersions)
    .where(eq(schema.serviceVersions.id, input.versionId));
  if (!version) throw notFound('service version', input.versionId);
  if (version.state !== 'ready' && version.state !== 'approved')
    throw new ApiError(
      'invalid-input',
      `starting a rollout of version ${version.version}: it is ${version.state}; only a ready or approved version can be rolled out`,
    );
  const subjectIds = await chooseSubjects(deps.db, organisationId, version.serviceId, input.subjectIds);
  const unitsBySubject = new Map<string, string[]>();
  for (const subjectId of subjectIds)
    unitsBySubject.set(subjectId, await rolloutUnitIds(deps.db, subjectId, version.serviceId));
  const now = deps.now();
  let started: string[];
  try {
    // One transaction: the approval and the rollouts appear together, so no unit ever sees the
    // version approved and not yet held by its rollout.
    started = await deps.db.transaction(async (tx) => {
      if (version.state === 'ready') {
        const approved = await tx
          .update(schema.serviceVersions)
          .set({ state: 'approved', approvedAt: now, approvedBy: actor.userId })
          .where(and(eq(schema.serviceVersions.id, version.id), eq(schema.serviceVersions.state, 'ready')))
          .returning({ id: schema.serviceVersions.id });
        if (approved.length === 0)
          throw new ApiError(
            'invalid-input',
            `approving version ${version.version}: its state changed meanwhile; reload and retry`,
          );
      }
      const ids: string[] = [];
      for (const subjectId of subjectIds) {
        const context = {
          actor,
          organisationId,
          version,
          subjectId,
          plan,
          now,
          unitIds: unitsBySubject.get(subjectId) ?? [],
        };
        ids.push(await startOnSubject(tx, context, input.supersede === true));
      }
      return ids;
    });
  } catch (error) {
    if (databaseErrorCode(error) === '23505')
      throw new ApiError(
        'already-exists',
        `starting a rollout of ${version.version}: another rollout of the service started on one of these subjects meanwhile; look at aos rollout list and retry`,
        { cause: error },
      );
    throw error;
  }
  await announceUnits(deps, await unitsOfSubjects(deps.db, subjectIds));
  return started;
}

/**
 * Approve a ready version through rollouts: when subjects of the approving OEM's organisation bind
 * the service, the approval starts a rollout with the default plan on each (superseding the
 * rollouts active there: approving a newer version is the explicit act that replaces them), in the
 * same transaction. Returns the rollouts started; none (and nothing done) when no subject binds it.
 */
export async function approveThroughRollouts(deps: Deps, actor: Actor, versionId: string): Promise<string[]> {
  if (actor.role !== 'oem' || !actor.organisationId) return [];
  const [version] = await deps.db
    .select({ serviceId: schema.serviceVersions.serviceId })
    .from(schema.serviceVersions)
    .where(eq(schema.serviceVersions.id, versionId));
  if (!version) return [];
  const subjects = await subjectsBindingService(deps.db, actor.organisationId, version.serviceId);
  if (subjects.length === 0) return [];
  return startRollout(deps, actor, { versionId, subjectIds: subjects, supersede: true });
}

async function subjectsBindingService(db: Database, organisationId: string, serviceId: string): Promise<string[]> {
  const rows = await db
    .select({ id: schema.subjects.id })
    .from(schema.subjectServices)
    .innerJoin(schema.subjects, eq(schema.subjectServices.subjectId, schema.subjects.id))
    .where(and(eq(schema.subjectServices.serviceId, serviceId), eq(schema.subjects.organisationId, organisationId)));
  return rows.map((row) => row.id).sort();
}

async function chooseSubjects(
  db: Database,
  organisationId: string,
  serviceId: string,
  requested: string[] | undefined,
): Promise<string[]> {
  const binding = await subjectsBindingService(db, organisationId, serviceId);
  if (!requested || requested.length === 0) {
    if (binding.length === 0)
      throw new ApiError(
        'invalid-input',
        `starting a rollout: no subject of your organisation binds service ${serviceId}; bind it first (aos subject bind <subject> --service ${serviceId})`,
      );
    return binding;
  }
  for (const subjectId of requested) {
    const [subject] = await db
      .select({ id: schema.subjects.id, name: schema.subjects.name })
      .from(schema.subjects)
      .where(and(eq(schema.subjects.id, subjectId), eq(schema.subjects.organisationId, organisationId)));
    if (!subject) throw notFound('subject', subjectId);
    if (!binding.includes(subjectId))
      throw new ApiError(
        'invalid-input',
        `starting a rollout on subject "${subject.name}": it does not bind service ${serviceId}; bind it first (aos subject bind ${subjectId} --service ${serviceId})`,
      );
  }
  return [...new Set(requested)].sort();
}

interface SubjectStart {
  actor: Actor;
  organisationId: string;
  version: typeof schema.serviceVersions.$inferSelect;
  subjectId: string;
  plan: ReturnType<typeof completePlan>;
  now: Date;
  unitIds: string[];
}

async function startOnSubject(tx: Database, start: SubjectStart, supersede: boolean): Promise<string> {
  const { actor, organisationId, version, subjectId, plan, now, unitIds } = start;
  const [active] = await tx
    .select()
    .from(schema.rollouts)
    .where(
      and(
        eq(schema.rollouts.serviceId, version.serviceId),
        eq(schema.rollouts.subjectId, subjectId),
        inArray(schema.rollouts.status, ['running', 'paused']),
      ),
    )
    .for('update');
  if (active && !supersede)
    throw new ApiError(
      'already-exists',
      `starting a rollout of ${version.version}: the rollout ${active.id} of ${active.version} is ${active.status} on this subject; abort it, or start with --supersede to replace it`,
    );
  const [previous] = await tx
    .select()
    .from(schema.rollouts)
    .where(and(eq(schema.rollouts.serviceId, version.serviceId), eq(schema.rollouts.subjectId, subjectId)))
    .orderBy(desc(schema.rollouts.createdAt))
    .limit(1);
  const baselineVersion = previous
    ? previous.status === 'completed'
      ? previous.version
      : previous.baselineVersion
    : await newestReleasedVersion(tx, version.serviceId, version.id);
  if (active) {
    await tx
      .update(schema.rollouts)
      .set({ status: 'superseded', finishedAt: now, updatedAt: now })
      .where(eq(schema.rollouts.id, active.id));
  }
  const inserted = await tx
    .insert(schema.rollouts)
    .values({
      organisationId,
      serviceId: version.serviceId,
      subjectId,
      versionId: version.id,
      version: version.version,
      baselineVersion,
      plan,
      status: unitIds.length === 0 ? 'completed' : 'running',
      currentWave: 0,
      waveStartedAt: now,
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
      finishedAt: unitIds.length === 0 ? now : null,
    })
    .returning({ id: schema.rollouts.id });
  const rolloutId = onlyRow(inserted, `starting a rollout of ${version.version}`).id;
  if (active)
    await recordRolloutEvent(tx, {
      rolloutId: active.id,
      at: now,
      kind: 'superseded',
      reason: `superseded by the rollout ${rolloutId} of ${version.version}, started by ${actor.email}`,
      userId: actor.userId,
    });
  const had = await versionsUnitsHad(tx, unitIds, version.serviceId);
  const waves = assignWaves(rolloutId, unitIds, plan.waves);
  // In slices: one statement may bind at most 65,535 parameters (7 a row here, ~9,000 units).
  for (const slice of inSlices(waves, ROLLOUT_UNITS_PER_INSERT))
    await tx.insert(schema.rolloutUnits).values(
      slice.map(({ unitId, wave }) => ({
        rolloutId,
        unitId,
        wave,
        fromVersion: had.get(unitId) ?? baselineVersion,
        state: wave === 0 ? 'updating' : 'pending',
        since: now,
      })),
    );
  const waveCount = waves.reduce((max, unit) => Math.max(max, unit.wave + 1), 0);
  await recordRolloutEvent(tx, {
    rolloutId,
    at: now,
    kind: 'started',
    reason: `${version.version} to ${unitIds.length} unit(s) in ${waveCount} wave(s) (${describeWaves(plan.waves)}), by ${actor.email}${active ? `, replacing the rollout of ${active.version}` : ''}`,
    userId: actor.userId,
  });
  if (waveCount > 0)
    await recordRolloutEvent(tx, {
      rolloutId,
      at: now,
      kind: 'wave-started',
      wave: 0,
      reason: `wave 1 of ${waveCount}: ${waves.filter((unit) => unit.wave === 0).length} unit(s) get ${version.version}`,
      counts: {
        updating: waves.filter((unit) => unit.wave === 0).length,
        pending: waves.filter((unit) => unit.wave > 0).length,
      },
    });
  else
    await recordRolloutEvent(tx, {
      rolloutId,
      at: now,
      kind: 'completed',
      reason: 'no unit to update besides verification units; units that join the subject get it',
    });
  return rolloutId;
}

/**
 * The subject's units that a rollout updates: all it binds but those in a verification set (they
 * have the version already) and those an active rollout of the service on another subject updates
 * (one rollout at a time decides a unit's version; resolveRolloutPins keeps them with it).
 */
async function rolloutUnitIds(db: Database, subjectId: string, serviceId: string): Promise<string[]> {
  const all = [...new Set(await unitsOfSubjects(db, [subjectId]))];
  if (all.length === 0) return [];
  const verification = await db
    .select({ unitId: schema.unitSetUnits.unitId })
    .from(schema.unitSetUnits)
    .innerJoin(schema.unitSets, eq(schema.unitSetUnits.unitSetId, schema.unitSets.id))
    .where(and(inArray(schema.unitSetUnits.unitId, all), eq(schema.unitSets.isVerificationSet, true)));
  const elsewhere = await db
    .select({ unitId: schema.rolloutUnits.unitId })
    .from(schema.rolloutUnits)
    .innerJoin(schema.rollouts, eq(schema.rolloutUnits.rolloutId, schema.rollouts.id))
    .where(
      and(
        inArray(schema.rolloutUnits.unitId, all),
        eq(schema.rollouts.serviceId, serviceId),
        ne(schema.rollouts.subjectId, subjectId),
        inArray(schema.rollouts.status, ['running', 'paused']),
      ),
    );
  const excluded = new Set([...verification, ...elsewhere].map((row) => row.unitId));
  return all.filter((unitId) => !excluded.has(unitId)).sort();
}

/** The version of the service each unit's last issued desired status gave it. */
async function versionsUnitsHad(db: Database, unitIds: string[], serviceId: string): Promise<Map<string, string>> {
  const had = new Map<string, string>();
  if (unitIds.length === 0) return had;
  const rows = await db
    .select({ unitId: schema.unitDesiredStatuses.unitId, document: schema.unitDesiredStatuses.document })
    .from(schema.unitDesiredStatuses)
    .where(inArray(schema.unitDesiredStatuses.unitId, unitIds));
  for (const row of rows) {
    const item = readPreviousItems(row.document).find((candidate) => candidate.serviceId === serviceId);
    if (item) had.set(row.unitId, item.version);
  }
  return had;
}

/** Without an earlier rollout on the subject: the newest approved version no unfinished rollout holds. */
async function newestReleasedVersion(db: Database, serviceId: string, excludeId: string): Promise<string | null> {
  const approved = await db
    .select({ id: schema.serviceVersions.id, version: schema.serviceVersions.version })
    .from(schema.serviceVersions)
    .where(and(eq(schema.serviceVersions.serviceId, serviceId), eq(schema.serviceVersions.state, 'approved')));
  const held = new Set(
    (
      await db
        .select({ versionId: schema.rollouts.versionId })
        .from(schema.rollouts)
        .where(
          and(
            eq(schema.rollouts.serviceId, serviceId),
            inArray(schema.rollouts.status, ['running', 'paused', 'aborted']),
          ),
        )
    ).map((row) => row.versionId),
  );
  const candidates = approved.filter((row) => row.id !== excludeId && !held.has(row.id));
  candidates.sort((a, b) => compareSemver(b.version, a.version));
  return candidates[0]?.version ?? null;
}
