import { z } from 'zod';
import { controlRollout } from '../../domain/rollouts/control-rollout.js';
import { rolloutPlanInput } from '../../domain/rollouts/plan.js';
import { listRollouts, showRollout } from '../../domain/rollouts/query-rollouts.js';
import { startRollout } from '../../domain/rollouts/start-rollout.js';
import { authedProcedure, router } from '../init.js';
import { id, ids } from '../inputs.js';

const reason = z.string().trim().max(500, 'must be at most 500 characters').optional();

/** Fleet rollouts (docs/rollouts.md): start with a plan, list, show, pause, resume, abort. */
export const rolloutsRouter = router({
  start: authedProcedure
    .input(
      z.object({
        versionId: id,
        subjectIds: ids.optional(),
        plan: rolloutPlanInput.optional(),
        supersede: z.boolean().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const started = await startRollout(ctx.deps, ctx.actor, input);
      return Promise.all(started.map((rolloutId) => showRollout(ctx.deps.db, ctx.actor, { id: rolloutId })));
    }),
  list: authedProcedure
    .input(z.object({ serviceId: id.optional(), isActive: z.boolean().optional() }).optional())
    .query(({ ctx, input }) => listRollouts(ctx.deps.db, ctx.actor, input ?? {})),
  show: authedProcedure.input(z.object({ id })).query(({ ctx, input }) => showRollout(ctx.deps.db, ctx.actor, input)),
  pause: authedProcedure.input(z.object({ id, reason })).mutation(async ({ ctx, input }) => {
    await controlRollout(ctx.deps, ctx.actor, { ...input, command: 'pause' });
    return showRollout(ctx.deps.db, ctx.actor, input);
  }),
  resume: authedProcedure.input(z.object({ id, reason })).mutation(async ({ ctx, input }) => {
    await controlRollout(ctx.deps, ctx.actor, { ...input, command: 'resume' });
    return showRollout(ctx.deps.db, ctx.actor, input);
  }),
  abort: authedProcedure.input(z.object({ id, reason })).mutation(async ({ ctx, input }) => {
    await controlRollout(ctx.deps, ctx.actor, { ...input, command: 'abort' });
    return showRollout(ctx.deps.db, ctx.actor, input);
  }),
});
