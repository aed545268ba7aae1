/**
 * Advancing rollouts: for each running rollout, observe its units, let the pure planner
 * (decideRollout) decide, and record the new unit states and the decision.
 *
 * Invariants:
 * - one process at a time per rollout: the work runs in a transaction holding the rollout's row
 *   (`FOR UPDATE SKIP LOCKED`); a process that finds it locked skips it (the holder is deciding);
 * - every change is written in that transaction with the decision's event, so a process that dies
 *   half-way leaves the rollout as it was, and the next pass (any process) decides again from the
 *   same rows: nothing is started twice;
 * - units are told only after the commit (announce), and their desired status is recomputed from
 *   the rows, so a repeated announcement re-sends nothing already issued.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { CloudDependencies } from '../../dependencies.js';
import { announceUnits, unitsOfService } from '../desired-status/announce.js';
import { decideRollout, type RecordedRolloutUnit, type RolloutAction, type RolloutUnitState } from './decide.js';
import { observeUnits } from './observe-units.js';
import { recordRolloutEvent } from './record.js';

export type AdvanceDependencies = Pick<CloudDependencies, 'db' | 'unitEvents' | 'now' | 'process'>;

export interface AdvanceResult {
  rolloutId: string;
  action: RolloutAction;
}

/** One pass over every running rollout (or the ones named). Returns what was decided for each. */
export async function advanceRollouts(deps: AdvanceDependencies, rolloutIds?: string[]): Promise<AdvanceResult[]> {
  const running = await deps.db
    .select({ id: schema.rollouts.id })
    .from(schema.rollouts)
    .where(
      rolloutIds
        ? and(eq(schema.rollouts.status, 'running'), inArray(schema.rollouts.id, rolloutIds))
        : eq(schema.rollouts.status, 'running'),
    );
  const results: AdvanceResult[] = [];
  for (const { id } of running) {
    const result = await advanceRollout(deps, id);
    if (result) results.push(result);
  }
  return results;
}

/** Decide once for one rollout; undefined when it is not running or another process holds it. */
export async function advanceRollout(deps: AdvanceDependencies, rolloutId: string): Promise<AdvanceResult | undefined> {
  const outcome = await deps.db.transaction(async (tx) => {
    const [rollout] = await tx
      .select()
      .from(schema.rollouts)
      .where(and(eq(schema.rollouts.id, rolloutId), eq(schema.rollouts.status, 'running')))
      .for('update', { skipLocked: true });
    if (!rollout) return undefined;
    const rows = await tx.select().from(schema.rolloutUnits).where(eq(schema.rolloutUnits.rolloutId, rolloutId));
    const units: RecordedRolloutUnit[] = rows.map((row) => ({
      unitId: row.unitId,
      wave: row.wave,
      state: row.state as RolloutUnitState,
      since: row.since,
      reason: row.reason,
    }));
    const started = units.filter((unit) => unit.wave <= rollout.currentWave).map((unit) => unit.unitId);
    const observations = await observeUnits(tx, deps.process.leaseSeconds, rollout.serviceId, rollout.version, started);
    const now = deps.now();
    const decision = decideRollout(
      {
        status: rollout.status,
        plan: rollout.plan,
        currentWave: rollout.currentWave,
        waveStartedAt: rollout.waveStartedAt,
        waveCount: units.reduce((max, unit) => Math.max(max, unit.wave + 1), 0),
        acceptedFailures: rollout.acceptedFailures,
      },
      units,
      observations,
      now,
    );
    // One update per distinct (state, since, reason): a wave of units turning active at once is one statement.
    const groups = new Map<
      string,
      { values: Pick<RecordedRolloutUnit, 'state' | 'since' | 'reason'>; unitIds: string[] }
    >();
    for (const unit of decision.changed) {
      const key = JSON.stringify([unit.state, unit.since?.getTime() ?? null, unit.reason]);
      const group = groups.get(key) ?? {
        values: { state: unit.state, since: unit.since, reason: unit.reason },
        unitIds: [],
      };
      group.unitIds.push(unit.unitId);
      groups.set(key, group);
    }
    for (const { values, unitIds } of groups.values()) {
      await tx
        .update(schema.rolloutUnits)
        .set(values)
        .where(and(eq(schema.rolloutUnits.rolloutId, rolloutId), inArray(schema.rolloutUnits.unitId, unitIds)));
    }
    const { action, counts } = decision;
    let announce: string[] = [];
    if (action.kind === 'start-wave') {
      const joining = units.filter((unit) => unit.wave === action.wave).map((unit) => unit.unitId);
      if (joining.length > 0)
        await tx
          .update(schema.rolloutUnits)
          .set({ state: 'updating', since: now, reason: null })
          .where(and(eq(schema.rolloutUnits.rolloutId, rolloutId), eq(schema.rolloutUnits.wave, action.wave)));
      await tx
        .update(schema.rollouts)
        .set({ currentWave: action.wave, waveStartedAt: now, updatedAt: now })
        .where(eq(schema.rollouts.id, rolloutId));
      await recordRolloutEvent(tx, {
        rolloutId,
        at: now,
        kind: 'wave-started',
        wave: action.wave,
        reason: `${action.reason}; wave ${action.wave + 1}: ${joining.length} more unit(s) get ${rollout.version}`,
        counts: { ...counts, pending: counts.pending - joining.length, updating: counts.updating + joining.length },
      });
      announce = joining;
    } else if (action.kind === 'complete' || action.kind === 'pause' || action.kind === 'abort') {
      const status = action.kind === 'complete' ? 'completed' : action.kind === 'pause' ? 'paused' : 'aborted';
      await tx
        .update(schema.rollouts)
        .set({ status, updatedAt: now, ...(status !== 'paused' && { finishedAt: now }) })
        .where(eq(schema.rollouts.id, rolloutId));
      const kind = status === 'completed' ? 'completed' : status;
      await recordRolloutEvent(tx, {
        rolloutId,
        at: now,
        kind,
        wave: rollout.currentWave,
        reason: action.reason,
        counts,
      });
      // Completed: late joiners move on to the version; aborted: the updated units go back; paused: nothing changes.
      if (status === 'completed') announce = await unitsOfService(tx, rollout.serviceId);
      if (status === 'aborted') announce = started;
    }
    return { result: { rolloutId, action }, announce };
  });
  if (!outcome) return undefined;
  await announceUnits(deps, outcome.announce);
  return outcome.result;
}
