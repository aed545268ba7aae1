import { and, eq } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { Actor } from '../../actor.js';
import type { CloudDependencies } from '../../dependencies.js';
import { ApiError } from '../../errors.js';
import { announceUnits } from '../desired-status/announce.js';
import { requireOem } from '../units.js';
import { notFound } from '../util.js';
import { countStates, type RolloutUnitState } from './decide.js';
import { recordRolloutEvent } from './record.js';

type Deps = Pick<CloudDependencies, 'db' | 'unitEvents' | 'now'>;
export type RolloutCommand = 'pause' | 'resume' | 'abort';

const ALLOWED: Record<RolloutCommand, { from: string[]; to: 'paused' | 'running' | 'aborted'; doing: string }> = {
  pause: { from: ['running'], to: 'paused', doing: 'pausing' },
  resume: { from: ['paused'], to: 'running', doing: 'resuming' },
  abort: { from: ['running', 'paused'], to: 'aborted', doing: 'aborting' },
};

/**
 * Pause, resume or abort a rollout of the OEM's organisation, recorded with who did it. Resuming
 * accepts the failures so far (only new ones count against the threshold); aborting sends the
 * updated units back to the version each had.
 */
export async function controlRollout(
  deps: Deps,
  actor: Actor,
  input: { id: string; command: RolloutCommand; reason?: string | undefined },
): Promise<void> {
  const rule = ALLOWED[input.command];
  const organisationId = requireOem(actor, `${rule.doing} a rollout`);
  const now = deps.now();
  const touched = await deps.db.transaction(async (tx) => {
    const [rollout] = await tx
      .select()
      .from(schema.rollouts)
      .where(and(eq(schema.rollouts.id, input.id), eq(schema.rollouts.organisationId, organisationId)))
      .for('update');
    if (!rollout) throw notFound('rollout', input.id);
    if (!rule.from.includes(rollout.status))
      throw new ApiError(
        'invalid-input',
        `${rule.doing} the rollout of ${rollout.version}: it is ${rollout.status}; only a ${rule.from.join(' or ')} rollout can be ${input.command === 'abort' ? 'aborted' : `${input.command}d`}`,
      );
    const units = await tx.select().from(schema.rolloutUnits).where(eq(schema.rolloutUnits.rolloutId, input.id));
    const counts = countStates(units.map((unit) => ({ state: unit.state as RolloutUnitState })));
    const failed = units.filter((unit) => unit.wave <= rollout.currentWave && unit.state === 'failed').length;
    await tx
      .update(schema.rollouts)
      .set({
        status: rule.to,
        updatedAt: now,
        ...(rule.to === 'aborted' && { finishedAt: now }),
        ...(input.command === 'resume' && { acceptedFailures: failed }),
      })
      .where(eq(schema.rollouts.id, input.id));
    const note = input.reason ? `: ${input.reason}` : '';
    const reason =
      input.command === 'pause'
        ? `paused by ${actor.email}${note}`
        : input.command === 'resume'
          ? `resumed by ${actor.email}${failed > 0 ? `, accepting the ${failed} failed unit(s) so far` : ''}${note}`
          : `aborted by ${actor.email}; reverting the updated units to the version they had${note}`;
    await recordRolloutEvent(tx, {
      rolloutId: input.id,
      at: now,
      kind: rule.to === 'running' ? 'resumed' : rule.to,
      wave: rollout.currentWave,
      reason,
      counts,
      userId: actor.userId,
    });
    return input.command === 'abort'
      ? units.filter((unit) => unit.wave <= rollout.currentWave).map((unit) => unit.unitId)
      : [];
  });
  await announceUnits(deps, touched);
}
