/**
 * The rollout planner: from the recorded unit states, what the units last reported and the plan,
 * the new unit states and the one decision to take (wait, start the next wave, complete, pause,
 * abort). Pure: no clock but `now`, no database; table-tested in decide.test.ts.
 *
 * Invariants:
 * - only units of started waves (wave ≤ currentWave) are judged; the others stay `pending`;
 * - a unit's state is its latest observation (a unit that reported failed and then active is active
 *   again, soaking from then); `since` moves only when the state changes;
 * - an offline unit that has not reported failing counts as pending (`offline`) until the plan's
 *   offline timeout has run from when it was first seen offline, then as `failed`; an online unit
 *   not active on the version within the plan's active timeout (a crash loop) counts as `failed`;
 * - the threshold is checked before the gate, so a wave that crosses it never lets the next start;
 * - a paused (or finished) rollout never starts a wave.
 */
import type { RolloutPlan } from './plan.js';
import type { VersionHealth } from './judge-health.js';

export type RolloutUnitState = 'pending' | 'updating' | 'offline' | 'active' | 'failed';
export const ROLLOUT_UNIT_STATES: readonly RolloutUnitState[] = ['pending', 'updating', 'offline', 'active', 'failed'];
export type RolloutStatus = 'running' | 'paused' | 'completed' | 'aborted' | 'superseded';

export interface RecordedRolloutUnit {
  unitId: string;
  wave: number;
  state: RolloutUnitState;
  since: Date | null;
  reason: string | null;
}

export interface UnitObservation {
  isOnline: boolean;
  /** How it runs the rollout's version (judgeVersionHealth). */
  version: VersionHealth;
}

export interface RolloutSnapshot {
  status: RolloutStatus;
  plan: RolloutPlan;
  currentWave: number;
  waveStartedAt: Date;
  /** Number of waves (the highest recorded wave + 1). */
  waveCount: number;
  /** Failed units accepted by a resume after the threshold: only failures beyond them count. */
  acceptedFailures: number;
}

export type RolloutAction =
  | { kind: 'wait'; reason: string }
  | { kind: 'start-wave'; wave: number; reason: string }
  | { kind: 'complete'; reason: string }
  | { kind: 'pause'; reason: string }
  | { kind: 'abort'; reason: string };

export interface RolloutDecision {
  /** The units whose recorded state changes. */
  changed: RecordedRolloutUnit[];
  action: RolloutAction;
  /** Units per state after the change. */
  counts: Record<RolloutUnitState, number>;
}

export function decideRollout(
  rollout: RolloutSnapshot,
  units: readonly RecordedRolloutUnit[],
  observations: ReadonlyMap<string, UnitObservation>,
  now: Date,
): RolloutDecision {
  const { plan } = rollout;
  const changed: RecordedRolloutUnit[] = [];
  const next = units.map((unit) => {
    const judged = unit.wave <= rollout.currentWave ? judgeUnit(unit, observations.get(unit.unitId), plan, now) : unit;
    if (judged.state !== unit.state || judged.reason !== unit.reason) changed.push(judged);
    return judged;
  });
  const counts = countStates(next);
  const action = chooseAction(rollout, next, counts, now);
  return { changed, action, counts };
}

function judgeUnit(
  unit: RecordedRolloutUnit,
  observation: UnitObservation | undefined,
  plan: RolloutPlan,
  now: Date,
): RecordedRolloutUnit {
  const keep = (state: RolloutUnitState, reason: string | null = null): RecordedRolloutUnit => ({
    ...unit,
    state,
    reason,
    since: unit.state === state && unit.since ? unit.since : now,
  });
  const version = observation?.version ?? { health: 'updating' };
  if (version.health === 'failed') return keep('failed', version.reason);
  if (!observation?.isOnline) {
    const offlineSince = unit.state === 'offline' && unit.since ? unit.since : now;
    const offlineSeconds = (now.getTime() - offlineSince.getTime()) / 1000;
    if (unit.state === 'failed' && unit.reason?.startsWith('offline')) return unit;
    if (offlineSeconds >= plan.offlineTimeoutSeconds)
      return { ...unit, state: 'failed', since: now, reason: `offline for over ${plan.offlineTimeoutSeconds} s` };
    return { ...unit, state: 'offline', since: offlineSince, reason: null };
  }
  if (version.health === 'active') return keep('active');
  // Online and not active yet: updating, until the plan's active timeout has run since it started updating.
  if (unit.state === 'failed' && unit.reason?.startsWith('not active')) return unit;
  const updatingSince = unit.state === 'updating' && unit.since ? unit.since : now;
  const timeout = plan.activeTimeoutSeconds;
  if (timeout !== undefined && (now.getTime() - updatingSince.getTime()) / 1000 >= timeout)
    return { ...unit, state: 'failed', since: now, reason: `not active within ${timeout} s of getting the version` };
  return keep('updating');
}

function chooseAction(
  rollout: RolloutSnapshot,
  units: RecordedRolloutUnit[],
  counts: Record<RolloutUnitState, number>,
  now: Date,
): RolloutAction {
  const { plan, currentWave } = rollout;
  const wave = `wave ${currentWave + 1} of ${rollout.waveCount}`;
  if (rollout.status !== 'running') return { kind: 'wait', reason: `the rollout is ${rollout.status}` };
  if (units.length === 0) return { kind: 'complete', reason: 'no unit to update besides verification units' };
  const started = units.filter((unit) => unit.wave <= currentWave);
  const allFailed = started.filter((unit) => unit.state === 'failed').length;
  const failed = Math.max(0, allFailed - rollout.acceptedFailures);
  const finished = failed + started.filter((unit) => unit.state === 'active').length;
  const percent = finished === 0 ? 0 : (failed * 100) / finished;
  const onFailure = (reason: string): RolloutAction =>
    plan.onFailure === 'abort'
      ? { kind: 'abort', reason: `${reason}; reverting the units to the version they had` }
      : { kind: 'pause', reason };
  if (failed > 0 && allFailed === started.length)
    return onFailure(`${wave}: every updated unit failed (${failed} of ${started.length})`);
  if (failed > 0 && finished >= plan.failureMinUnits && percent >= plan.failureThresholdPercent)
    return onFailure(
      `${wave}: ${failed} of ${finished} finished units failed (${formatPercent(percent)}), at or over the threshold of ${formatPercent(plan.failureThresholdPercent)}`,
    );
  const soakMs = plan.soakSeconds * 1000;
  const notDone = started.filter(
    (unit) =>
      unit.state !== 'failed' &&
      !(unit.state === 'active' && unit.since && now.getTime() - unit.since.getTime() >= soakMs),
  );
  if (notDone.length > 0) {
    const soaking = notDone.filter((unit) => unit.state === 'active').length;
    const parts = [
      counts.updating > 0 && `${counts.updating} updating`,
      counts.offline > 0 && `${counts.offline} offline (pending)`,
      soaking > 0 && `${soaking} active, soaking ${plan.soakSeconds} s`,
    ].filter(Boolean);
    return { kind: 'wait', reason: `${wave}: waiting for ${parts.join(', ')}` };
  }
  if (now.getTime() - rollout.waveStartedAt.getTime() < soakMs)
    return { kind: 'wait', reason: `${wave}: soaking until ${plan.soakSeconds} s after the wave started` };
  const inWave = started.filter((unit) => unit.wave === currentWave);
  const healthyInWave = inWave.filter((unit) => unit.state === 'active').length;
  const needed = Math.min(plan.minHealthyUnits, inWave.length);
  if (healthyInWave < needed)
    return { kind: 'wait', reason: `${wave}: ${healthyInWave} of the ${needed} active units the plan asks for` };
  const summary = `${healthyInWave} of ${inWave.length} units active for ${plan.soakSeconds} s${allFailed > 0 ? `, ${allFailed} failed in all (under the threshold or accepted)` : ''}`;
  if (currentWave + 1 >= rollout.waveCount) return { kind: 'complete', reason: `${wave} healthy: ${summary}` };
  return { kind: 'start-wave', wave: currentWave + 1, reason: `${wave} healthy: ${summary}` };
}

export function countStates(units: readonly { state: RolloutUnitState }[]): Record<RolloutUnitState, number> {
  const counts = { pending: 0, updating: 0, offline: 0, active: 0, failed: 0 };
  for (const unit of units) counts[unit.state]++;
  return counts;
}

function formatPercent(value: number): string {
  return `${Math.round(value * 10) / 10} %`;
}
