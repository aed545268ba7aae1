import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import type { Actor } from '../actor.js';
import { ApiError } from '../errors.js';
import { hashPassword, passwordHashCost, verifyPassword } from './passwords.js';
import { claimSignInAttempt, recordSuccessfulSignIn, signInKeys } from './sign-in-throttle.js';

/** The console's session cookie: httpOnly, SameSite=Lax, Secure when served over HTTPS. */
export const SESSION_COOKIE = 'openaos_session';
export const SESSION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

// Compared against when the email is unknown, so a wrong email takes as long as a wrong password
// (made at the process's current cost, as the users' hashes are).
const dummyHashes = new Map<number, Promise<string>>();

function dummyHash(): Promise<string> {
  const cost = passwordHashCost();
  let hash = dummyHashes.get(cost);
  if (!hash) dummyHashes.set(cost, (hash = hashPassword('not a password')));
  return hash;
}

/**
 * Check email and password; on success store a new session and return its token (shown only in
 * the cookie). Throttled per account and per client address (sign-in-throttle.ts): a throttled
 * attempt is refused with `rate-limited` and the seconds to wait, before any password is hashed.
 */
export async function signIn(
  db: Database,
  input: { email: string; password: string },
  now: Date,
  clientAddress: string,
): Promise<{ token: string; expiresAt: Date; actor: Actor }> {
  const email = input.email.trim().toLowerCase();
  const keys = signInKeys(email, clientAddress);
  const claim = await claimSignInAttempt(db, keys, now);
  if (!claim.isAllowed) {
    throw new ApiError(
      'rate-limited',
      `signing in: too many attempts for this account or from this address; wait ${claim.retryAfterSeconds} s and try again`,
      { details: { retryAfterSeconds: claim.retryAfterSeconds } },
    );
  }
  const [row] = await db
    .select({ user: schema.users, organisationName: schema.organisations.name })
    .from(schema.users)
    .leftJoin(schema.organisations, eq(schema.users.organisationId, schema.organisations.id))
    .where(eq(schema.users.email, email));
  const matches = await verifyPassword(input.password, row?.user.passwordHash ?? (await dummyHash()));
  if (!row || !matches) throw new ApiError('unauthenticated', 'signing in: wrong email or password');
  await recordSuccessfulSignIn(db, keys, now);
  if (!row.user.isActive)
    throw new ApiError('unauthenticated', 'signing in: this account is deactivated; ask an admin to reactivate it');
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await db.insert(schema.sessions).values({ tokenHash: hashToken(token), userId: row.user.id, expiresAt });
  await db.delete(schema.sessions).where(lt(schema.sessions.expiresAt, now));
  return { token, expiresAt, actor: toActor(row, 'session') };
}

/** The actor of a session token, or null when the token is unknown, expired or its user deactivated. */
export async function resolveSession(db: Database, token: string, now: Date): Promise<Actor | null> {
  const [row] = await db
    .select({ user: schema.users, organisationName: schema.organisations.name })
    .from(schema.sessions)
    .innerJoin(schema.users, eq(schema.sessions.userId, schema.users.id))
    .leftJoin(schema.organisations, eq(schema.users.organisationId, schema.organisations.id))
    .where(and(eq(schema.sessions.tokenHash, hashToken(token)), gt(schema.sessions.expiresAt, now)));
  if (!row || !row.user.isActive) return null;
  return toActor(row, 'session');
}

export async function signOut(db: Database, token: string): Promise<void> {
  await db.delete(schema.sessions).where(eq(schema.sessions.tokenHash, hashToken(token)));
}

export function toActor(
  row: { user: typeof schema.users.$inferSelect; organisationName: string | null },
  via: Actor['via'],
): Actor {
  return {
    userId: row.user.id,
    email: row.user.email,
    name: row.user.name,
    role: row.user.role,
    organisationId: row.user.organisationId,
    organisationName: row.organisationName,
    via,
  };
}
