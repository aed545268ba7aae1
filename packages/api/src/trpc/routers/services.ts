import { z } from 'zod';
import * as services from '../../domain/services.js';
import * as versions from '../../domain/versions.js';
import { authedProcedure, router } from '../init.js';
import { byId, defaultQuotas, id, name } from '../inputs.js';

const description = z.string().trim().max(4000, 'must be at most 4000 characters');

export const servicesRouter = router({
  list: authedProcedure.query(({ ctx }) => services.list(ctx.deps.db, ctx.actor)),
  get: authedProcedure.input(byId).query(({ ctx, input }) => services.get(ctx.deps.db, ctx.actor, input)),
  create: authedProcedure
    .input(z.object({ title: name, description: description.optional(), defaultQuotas: defaultQuotas.optional() }))
    .mutation(({ ctx, input }) => services.create(ctx.deps, ctx.actor, input)),
  update: authedProcedure
    .input(
      z.object({
        id,
        title: name.optional(),
        description: description.optional(),
        defaultQuotas: defaultQuotas.optional(),
      }),
    )
    .mutation(({ ctx, input }) => services.update(ctx.deps, ctx.actor, input)),
  remove: authedProcedure.input(byId).mutation(({ ctx, input }) => services.remove(ctx.deps, ctx.actor, input)),
});

export const versionsRouter = router({
  list: authedProcedure
    .input(z.object({ serviceId: id }))
    .query(({ ctx, input }) => versions.list(ctx.deps.db, ctx.actor, input)),
  get: authedProcedure.input(byId).query(({ ctx, input }) => versions.get(ctx.deps.db, ctx.actor, input)),
  /** OEM approval of a ready version for the fleet. */
  approve: authedProcedure.input(byId).mutation(({ ctx, input }) => versions.approve(ctx.deps, ctx.actor, input)),
  remove: authedProcedure.input(byId).mutation(({ ctx, input }) => versions.remove(ctx.deps, ctx.actor, input)),
});
