import { z } from 'zod';
import * as credentials from '../../domain/credentials.js';
import * as organisations from '../../domain/organisations.js';
import * as users from '../../domain/users.js';
import { authedProcedure, router } from '../init.js';
import { byId, id, name } from '../inputs.js';

const role = z.enum(['admin', 'oem', 'sp']);
const password = z.string().min(12, 'must have at least 12 characters').max(200);

export const organisationsRouter = router({
  list: authedProcedure.query(({ ctx }) => organisations.list(ctx.deps.db, ctx.actor)),
  create: authedProcedure
    .input(z.object({ name, kind: z.enum(['oem', 'sp']) }))
    .mutation(({ ctx, input }) => organisations.create(ctx.deps.db, ctx.actor, input)),
  remove: authedProcedure.input(byId).mutation(({ ctx, input }) => organisations.remove(ctx.deps.db, ctx.actor, input)),
});

export const usersRouter = router({
  list: authedProcedure.query(({ ctx }) => users.list(ctx.deps.db, ctx.actor)),
  get: authedProcedure.input(byId).query(({ ctx, input }) => users.get(ctx.deps.db, ctx.actor, input)),
  /** Returns the generated initial password once when none was given. */
  create: authedProcedure
    .input(
      z.object({
        email: z.string().trim().toLowerCase().min(1, 'is required').max(200),
        name,
        role,
        organisationId: id.nullish(),
        password: password.optional(),
      }),
    )
    .mutation(({ ctx, input }) => users.create(ctx.deps.db, ctx.actor, input)),
  setActive: authedProcedure
    .input(z.object({ id, isActive: z.boolean() }))
    .mutation(({ ctx, input }) => users.setActive(ctx.deps.db, ctx.actor, input)),
  setPassword: authedProcedure
    .input(z.object({ id, password }))
    .mutation(({ ctx, input }) => users.setPassword(ctx.deps.db, ctx.actor, input)),
});

export const credentialsRouter = router({
  /** Issue a PKCS#12 (`aos-user-<role>.p12`, empty password, base64) for yourself or (admin) a user. */
  issue: authedProcedure
    .input(z.object({ userId: id.optional() }).optional())
    .mutation(({ ctx, input }) => credentials.issue(ctx.deps, ctx.actor, input ?? {})),
  list: authedProcedure
    .input(z.object({ userId: id.optional() }).optional())
    .query(({ ctx, input }) => credentials.list(ctx.deps, ctx.actor, input ?? {})),
  revoke: authedProcedure
    .input(z.object({ fingerprint256: z.string().min(1) }))
    .mutation(({ ctx, input }) => credentials.revoke(ctx.deps, ctx.actor, input)),
});
