import { z } from 'zod';
import { getInstanceState, setInstanceState } from '../../domain/state/instance-state.js';
import { authedProcedure, router } from '../init.js';
import { id } from '../inputs.js';

/** The most a state set in the cloud may hold; the service's state limit is checked as well. */
export const MAX_STATE_BYTES = 1024 * 1024;

const instanceInput = z.object({
  serviceId: id,
  unit: z.string().trim().min(1, 'is required (the unit’s system ID)').max(128, 'must be at most 128 characters'),
  instance: z.number().int('must be a whole number').min(0, 'must be 0 or more').default(0),
  subjectId: z.string().trim().min(1).max(128).optional(),
});

/** Instance states (state.dat) the cloud keeps (docs/alerts-and-state.md "State"). */
export const stateRouter = router({
  get: authedProcedure.input(instanceInput).query(({ ctx, input }) => getInstanceState(ctx.deps, ctx.actor, input)),
  set: authedProcedure
    .input(
      instanceInput.extend({
        content: z
          .string()
          .refine(
            (value) => Buffer.byteLength(value, 'utf8') <= MAX_STATE_BYTES,
            `must be at most ${MAX_STATE_BYTES} bytes`,
          ),
      }),
    )
    .mutation(({ ctx, input }) => setInstanceState(ctx.deps, ctx.actor, input)),
});
