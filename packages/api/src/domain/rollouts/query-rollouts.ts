import { and, asc, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { requireRole, type Actor } from '../../actor.js';
import { notFound, toIso } from '../util.js';
import { countStates, type RolloutStatus, type RolloutUnitState } from './decide.js';
import type { RolloutPlan } from './plan.js';

export interface RolloutView {
  id: string;
  serviceId: string;
  serviceTitle: string;
  subjectId: string;
  subjectName: string;
  versionId: string;
  version: string;
  baselineVersion: string | null;
  status: RolloutStatus;
  plan: RolloutPlan;
  /** 1-based number of the newest started wave, and how many there are. */
  wave: number;
  waveCount: number;
  waveStartedAt: string;
  acceptedFailures: number;
  counts: Record<RolloutUnitState, number>;
  /** The latest decision's reason. */
  lastReason: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface RolloutDetail extends RolloutView {
  waves: { wave: number; isStarted: boolean; units: number; counts: Record<RolloutUnitState, number> }[];
  /** The units (OEM only; empty for the service's SP). */
  units: {
    unitId: string;
    systemId: string;
    wave: number;
    state: RolloutUnitState;
    since: string | null;
    reason: string | null;
    fromVersion: string | null;
  }[];
  events: { at: string; kind: string; wave: number | null; reason: string; counts: Record<string, number> }[];
}

/** Who may read which rollouts: an OEM its organisation's, an SP those of its services. */
function visibility(actor: Actor, action: string): SQL {
  requireRole(actor, ['oem', 'sp'], action);
  return actor.role === 'oem'
    ? eq(schema.rollouts.organisationId, actor.organisationId ?? '00000000-0000-0000-0000-000000000000')
    : eq(schema.services.organisationId, actor.organisationId ?? '00000000-0000-0000-0000-000000000000');
}

async function loadViews(db: Database, where: SQL | undefined): Promise<RolloutView[]> {
  const rows = await db
    .select({ rollout: schema.rollouts, serviceTitle: schema.services.title, subjectName: schema.subjects.name })
    .from(schema.rollouts)
    .innerJoin(schema.services, eq(schema.rollouts.serviceId, schema.services.id))
    .innerJoin(schema.subjects, eq(schema.rollouts.subjectId, schema.subjects.id))
    .where(where)
    .orderBy(desc(schema.rollouts.createdAt));
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.rollout.id);
  const units = await db
    .select({
      rolloutId: schema.rolloutUnits.rolloutId,
      wave: schema.rolloutUnits.wave,
      state: schema.rolloutUnits.state,
    })
    .from(schema.rolloutUnits)
    .where(inArray(schema.rolloutUnits.rolloutId, ids));
  const events = await db
    .select({
      rolloutId: schema.rolloutEvents.rolloutId,
      id: schema.rolloutEvents.id,
      reason: schema.rolloutEvents.reason,
    })
    .from(schema.rolloutEvents)
    .where(inArray(schema.rolloutEvents.rolloutId, ids))
    .orderBy(asc(schema.rolloutEvents.id));
  return rows.map(({ rollout, serviceTitle, subjectName }) => {
    const own = units.filter((unit) => unit.rolloutId === rollout.id);
    const lastEvent = events.filter((event) => event.rolloutId === rollout.id).at(-1);
    return {
      id: rollout.id,
      serviceId: rollout.serviceId,
      serviceTitle,
      subjectId: rollout.subjectId,
      subjectName,
      versionId: rollout.versionId,
      version: rollout.version,
      baselineVersion: rollout.baselineVersion,
      status: rollout.status,
      plan: rollout.plan,
      wave: own.length === 0 ? 0 : rollout.currentWave + 1,
      waveCount: own.reduce((max, unit) => Math.max(max, unit.wave + 1), 0),
      waveStartedAt: toIso(rollout.waveStartedAt),
      acceptedFailures: rollout.acceptedFailures,
      counts: countStates(own.map((unit) => ({ state: unit.state as RolloutUnitState }))),
      lastReason: lastEvent?.reason ?? null,
      createdAt: toIso(rollout.createdAt),
      updatedAt: toIso(rollout.updatedAt),
      finishedAt: toIso(rollout.finishedAt),
    };
  });
}

/** Rollouts the caller may see, newest first; optionally of one service, or only active ones. */
export async function listRollouts(
  db: Database,
  actor: Actor,
  input: { serviceId?: string | undefined; isActive?: boolean | undefined } = {},
): Promise<RolloutView[]> {
  const conditions = [visibility(actor, 'listing rollouts')];
  if (input.serviceId) conditions.push(eq(schema.rollouts.serviceId, input.serviceId));
  if (input.isActive) conditions.push(inArray(schema.rollouts.status, ['running', 'paused']));
  return loadViews(db, and(...conditions));
}

/** One rollout with its waves, units (OEM only) and every decision. */
export async function showRollout(db: Database, actor: Actor, input: { id: string }): Promise<RolloutDetail> {
  const [view] = await loadViews(db, and(visibility(actor, 'showing a rollout'), eq(schema.rollouts.id, input.id)));
  if (!view) throw notFound('rollout', input.id);
  const units = await db
    .select({ row: schema.rolloutUnits, systemId: schema.units.systemId })
    .from(schema.rolloutUnits)
    .innerJoin(schema.units, eq(schema.rolloutUnits.unitId, schema.units.id))
    .where(eq(schema.rolloutUnits.rolloutId, input.id))
    .orderBy(asc(schema.rolloutUnits.wave), asc(schema.units.systemId));
  const events = await db
    .select()
    .from(schema.rolloutEvents)
    .where(eq(schema.rolloutEvents.rolloutId, input.id))
    .orderBy(asc(schema.rolloutEvents.id));
  const waves = Array.from({ length: view.waveCount }, (_, wave) => {
    const inWave = units.filter((unit) => unit.row.wave === wave);
    return {
      wave: wave + 1,
      isStarted: wave < view.wave,
      units: inWave.length,
      counts: countStates(inWave.map((unit) => ({ state: unit.row.state as RolloutUnitState }))),
    };
  });
  return {
    ...view,
    waves,
    units:
      actor.role === 'oem'
        ? units.map(({ row, systemId }) => ({
            unitId: row.unitId,
            systemId,
            wave: row.wave + 1,
            state: row.state as RolloutUnitState,
            since: toIso(row.since),
            reason: row.reason,
            fromVersion: row.fromVersion,
          }))
        : [],
    events: events.map((event) => ({
      at: toIso(event.at),
      kind: event.kind,
      wave: event.wave === null ? null : event.wave + 1,
      reason: event.reason,
      counts: event.counts,
    })),
  };
}
