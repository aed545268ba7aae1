import type { RolloutStatus, RolloutUnitState } from './decide.js';

/** A rollout of a service on a subject that binds the unit, with the unit's row in it if it has one. */
export interface RolloutForUnit {
  rolloutId: string;
  serviceId: string;
  status: RolloutStatus;
  version: string;
  baselineVersion: string | null;
  /** Creation order (newer rollouts win). */
  createdAt: Date;
  /** The unit's membership, when it was a unit of the subject at the start. */
  member: { wave: number; state: RolloutUnitState; fromVersion: string | null } | null;
  currentWave: number;
}

/** The version a rollout gives the unit for a service (null: none, the service is absent). */
export interface RolloutPin {
  serviceId: string;
  version: string | null;
  rolloutId: string;
}

/**
 * Which version of each service the unit's rollouts give it (docs/rollouts.md "What a unit gets"):
 * - of the rollouts that have the unit as a member the newest decides, else (a unit that joined the
 *   subject later) the newest of all;
 * - a member of a started wave gets the rollout's version while it runs, is paused or completed; a
 *   member of a wave not started yet, or of an aborted rollout, keeps the version it had;
 * - a late joiner gets the rollout's version once the rollout completed, else its baseline (what
 *   the subject's units had before); a superseded rollout leaves the unit to the one after it.
 */
export function resolveRolloutPins(rollouts: readonly RolloutForUnit[]): RolloutPin[] {
  const byService = new Map<string, RolloutForUnit[]>();
  for (const rollout of rollouts)
    byService.set(rollout.serviceId, [...(byService.get(rollout.serviceId) ?? []), rollout]);
  const pins: RolloutPin[] = [];
  for (const [serviceId, candidates] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    const newestFirst = [...candidates].sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.rolloutId.localeCompare(a.rolloutId),
    );
    const decider = newestFirst.find((rollout) => rollout.member && rollout.status !== 'superseded') ?? newestFirst[0];
    if (!decider) continue;
    pins.push({ serviceId, version: pinnedVersion(decider), rolloutId: decider.rolloutId });
  }
  return pins;
}

function pinnedVersion(rollout: RolloutForUnit): string | null {
  const { member } = rollout;
  if (!member) return rollout.status === 'completed' ? rollout.version : rollout.baselineVersion;
  if (rollout.status === 'aborted') return member.fromVersion;
  if (rollout.status === 'completed' || member.wave <= rollout.currentWave) return rollout.version;
  return member.fromVersion;
}
