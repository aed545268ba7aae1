import { z } from 'zod';
import * as subjects from '../../domain/subjects.js';
import * as unitSets from '../../domain/unit-sets.js';
import * as units from '../../domain/units.js';
import { authedProcedure, router } from '../init.js';
import { byId, id, ids, name } from '../inputs.js';
import { unitChannelProcedures } from './unit-status.js';

const systemId = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9._:-]+$/, 'may contain letters, digits and . _ : - only');

export const unitsRouter = router({
  list: authedProcedure.query(({ ctx }) => units.list(ctx.deps, ctx.actor)),
  get: authedProcedure.input(byId).query(({ ctx, input }) => units.get(ctx.deps, ctx.actor, input)),
  create: authedProcedure
    .input(z.object({ systemId, model: name }))
    .mutation(({ ctx, input }) => units.create(ctx.deps.db, ctx.actor, input)),
  update: authedProcedure
    .input(z.object({ id, model: name.optional() }))
    .mutation(({ ctx, input }) => units.update(ctx.deps, ctx.actor, input)),
  remove: authedProcedure.input(byId).mutation(({ ctx, input }) => units.remove(ctx.deps, ctx.actor, input)),
  ...unitChannelProcedures,
});

export const unitSetsRouter = router({
  list: authedProcedure.query(({ ctx }) => unitSets.list(ctx.deps.db, ctx.actor)),
  get: authedProcedure.input(byId).query(({ ctx, input }) => unitSets.get(ctx.deps, ctx.actor, input)),
  create: authedProcedure
    .input(z.object({ name, isVerificationSet: z.boolean().optional() }))
    .mutation(({ ctx, input }) => unitSets.create(ctx.deps.db, ctx.actor, input)),
  update: authedProcedure
    .input(z.object({ id, name: name.optional(), isVerificationSet: z.boolean().optional() }))
    .mutation(({ ctx, input }) => unitSets.update(ctx.deps, ctx.actor, input)),
  addUnits: authedProcedure
    .input(z.object({ id, unitIds: ids }))
    .mutation(({ ctx, input }) => unitSets.addUnits(ctx.deps, ctx.actor, input)),
  removeUnits: authedProcedure
    .input(z.object({ id, unitIds: ids }))
    .mutation(({ ctx, input }) => unitSets.removeUnits(ctx.deps, ctx.actor, input)),
  remove: authedProcedure.input(byId).mutation(({ ctx, input }) => unitSets.remove(ctx.deps.db, ctx.actor, input)),
});

const binding = z.object({ id, serviceIds: ids.optional(), unitIds: ids.optional(), unitSetIds: ids.optional() });

export const subjectsRouter = router({
  list: authedProcedure.query(({ ctx }) => subjects.list(ctx.deps.db, ctx.actor)),
  get: authedProcedure.input(byId).query(({ ctx, input }) => subjects.get(ctx.deps.db, ctx.actor, input)),
  create: authedProcedure
    .input(z.object({ name, type: z.enum(['group', 'user']).optional() }))
    .mutation(({ ctx, input }) => subjects.create(ctx.deps.db, ctx.actor, input)),
  update: authedProcedure
    .input(z.object({ id, name: name.optional(), type: z.enum(['group', 'user']).optional() }))
    .mutation(({ ctx, input }) => subjects.update(ctx.deps, ctx.actor, input)),
  /** Bind services, units and unit sets (any of the three lists). Idempotent. */
  bind: authedProcedure.input(binding).mutation(({ ctx, input }) => subjects.bind(ctx.deps, ctx.actor, input)),
  unbind: authedProcedure.input(binding).mutation(({ ctx, input }) => subjects.unbind(ctx.deps, ctx.actor, input)),
  remove: authedProcedure.input(byId).mutation(({ ctx, input }) => subjects.remove(ctx.deps, ctx.actor, input)),
});
