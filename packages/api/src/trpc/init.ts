import { initTRPC, TRPCError } from '@trpc/server';
import { ApiError } from '../errors.js';
import type { Context } from './context.js';
import { TRPC_CODE_OF } from './error-codes.js';

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        // The domain code lets clients (CLI, console) react precisely; details carry e.g. config problems.
        apiCode: cause instanceof ApiError ? cause.code : null,
        details: cause instanceof ApiError ? (cause.details ?? null) : null,
        // Input validation problems by field path ("title", "defaultQuotas.memoryLimit"), for forms.
        fieldErrors: error.code === 'BAD_REQUEST' ? readFieldErrors(cause) : null,
      },
    };
  },
});

/** Turns a domain ApiError into the TRPCError of its code — the only place that does. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof ApiError && result.error.code === 'INTERNAL_SERVER_ERROR') {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE_OF[cause.code], message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapErrors);

/** A procedure that needs a signed-in caller; `ctx.actor` is non-null inside. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message:
        ctx.authenticationError?.message ??
        'sign in first: the console needs a session, the CLI an AosCert token (aos login)',
      cause: ctx.authenticationError ?? undefined,
    });
  }
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

function readFieldErrors(cause: unknown): Record<string, string> | null {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return null;
  const fields: Record<string, string> = {};
  for (const issue of issues as { path?: PropertyKey[]; message?: string }[]) {
    const key = (issue.path ?? []).map(String).join('.') || '_';
    fields[key] ??= issue.message ?? 'is invalid';
  }
  return fields;
}
