import { z } from 'zod';
import { signIn, signOut } from '../../domain/sessions.js';
import { formatSessionCookie } from '../../http/authenticate-request.js';
import { authedProcedure, publicProcedure, router } from '../init.js';

export const authRouter = router({
  /** Check email and password and set the httpOnly session cookie (throttled: 429 with a wait). */
  signIn: publicProcedure
    .input(z.object({ email: z.string().trim().min(1, 'is required'), password: z.string().min(1, 'is required') }))
    .mutation(async ({ ctx, input }) => {
      const session = await signIn(ctx.deps.db, input, ctx.deps.now(), ctx.clientAddress);
      ctx.setCookie(formatSessionCookie(session.token, { expiresAt: session.expiresAt, secure: ctx.secureCookies }));
      return { user: session.actor };
    }),
  signOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.sessionToken) await signOut(ctx.deps.db, ctx.sessionToken);
    ctx.setCookie(formatSessionCookie(null, { secure: ctx.secureCookies }));
    return { ok: true as const };
  }),
  /** The signed-in user, or null. */
  me: publicProcedure.query(({ ctx }) => ctx.actor),
  /** Like `me` but fails when not signed in (what `aos login` calls to check a credential). */
  whoami: authedProcedure.query(({ ctx }) => ctx.actor),
});
