import { z } from 'zod';
import { PROVISIONING_TOKEN_TTL, createProvisioningToken } from '../../domain/provisioning/create-token.js';
import { revokeUnit } from '../../domain/provisioning/revoke-unit.js';
import { fleetOverview, serviceStatus } from '../../domain/unit-status/queries-fleet.js';
import { HISTORY_LIMIT, unitHistory, unitStatus } from '../../domain/unit-status/queries-unit.js';
import { authedProcedure, router } from '../init.js';
import { id } from '../inputs.js';

/** A unit named by its unit ID or its system ID. */
const unit = z
  .string()
  .trim()
  .min(1, 'is required (a unit ID or system ID)')
  .max(128, 'must be at most 128 characters');

/**
 * The unit channel's procedures on units (merged into `units`): provisioning tokens, revocation,
 * status and history. Live views poll `status`/`overview` (see docs/cloud.md "Unit status").
 */
export const unitChannelProcedures = {
  provisionToken: authedProcedure
    .input(
      z.object({
        unit,
        ttlSeconds: z
          .number()
          .int('must be whole seconds')
          .min(PROVISIONING_TOKEN_TTL.minSeconds, `must be at least ${PROVISIONING_TOKEN_TTL.minSeconds} seconds`)
          .max(PROVISIONING_TOKEN_TTL.maxSeconds, 'must be at most 7 days')
          .optional(),
        /** The address the caller reaches the cloud at; OPENAOS_PUBLIC_URL wins when the cloud has it. */
        cloudUrl: z.string().trim().max(2000, 'must be at most 2000 characters').optional(),
      }),
    )
    .mutation(({ ctx, input }) => createProvisioningToken(ctx.deps, ctx.actor, input)),
  revoke: authedProcedure
    .input(z.object({ unit }))
    .mutation(({ ctx, input }) => revokeUnit(ctx.deps, ctx.actor, input)),
  status: authedProcedure.input(z.object({ unit })).query(({ ctx, input }) => unitStatus(ctx.deps, ctx.actor, input)),
  history: authedProcedure
    .input(
      z.object({
        unit,
        limit: z
          .number()
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(HISTORY_LIMIT.max, `must be at most ${HISTORY_LIMIT.max}`)
          .optional(),
      }),
    )
    .query(({ ctx, input }) => unitHistory(ctx.deps, ctx.actor, input)),
};

export const statusRouter = router({
  /** Unit counts (OEM) and per service on how many units it is desired, installed, active, failed. */
  overview: authedProcedure.query(({ ctx }) => fleetOverview(ctx.deps, ctx.actor)),
  /** Per version of one service: on how many units it is desired, installed, active, failed. */
  service: authedProcedure
    .input(z.object({ serviceId: id }))
    .query(({ ctx, input }) => serviceStatus(ctx.deps, ctx.actor, input)),
});
