/**
 * Sign-in throttling, per account and per client address, with delays that grow with the
 * attempts. The state lives in the database (`sign_in_throttles`), so every cloud process over
 * one PostgreSQL throttles alike, and nothing grows in memory.
 *
 * Invariants:
 * - an attempt is counted before its password is checked, in one transaction per attempt (rows
 *   locked in key order), so a burst of parallel attempts cannot all slip past the count, and a
 *   refused attempt costs no password hash;
 * - a refused attempt is not counted, so a flood cannot push the block further out than the delay
 *   of the last attempt it was allowed to make;
 * - the account's delay is capped low (a flood from many addresses costs the real user at most
 *   that wait), the address's high (one client guessing is slowed down hard);
 * - counters idle for a window start over, and their rows are deleted then.
 */
import { asc, eq, inArray, lt, sql } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';

export interface ThrottlePolicy {
  /** Attempts allowed without delay within the window. */
  freeAttempts: number;
  /** The wait after the first attempt past the free ones; it doubles with each further attempt. */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

export const SIGN_IN_THROTTLE = {
  account: { freeAttempts: 5, baseDelaySeconds: 1, maxDelaySeconds: 30 },
  address: { freeAttempts: 10, baseDelaySeconds: 1, maxDelaySeconds: 15 * 60 },
  /** A key with no attempt for this long starts over. */
  windowSeconds: 15 * 60,
} as const satisfies { account: ThrottlePolicy; address: ThrottlePolicy; windowSeconds: number };

/** The wait imposed after the `attempts`-th attempt of a window. */
export function delayAfter(attempts: number, policy: ThrottlePolicy): number {
  if (attempts < policy.freeAttempts) return 0;
  return Math.min(policy.baseDelaySeconds * 2 ** (attempts - policy.freeAttempts), policy.maxDelaySeconds);
}

export interface SignInKeys {
  account: string;
  address: string;
}

/** The throttle keys of an attempt: the normalised email, and the client address (its /64 for IPv6). */
export function signInKeys(email: string, clientAddress: string): SignInKeys {
  // Bounded: an email is at most 254 characters, and a key must not grow with what a client sends.
  return {
    account: `account:${email.slice(0, 320)}`,
    address: `address:${normalizeClientAddress(clientAddress)}`,
  };
}

export type AttemptClaim = { isAllowed: true } | { isAllowed: false; retryAfterSeconds: number };

/**
 * Count an attempt for both keys if neither is blocked; otherwise refuse it with the seconds to
 * wait. Call before checking the password.
 */
export async function claimSignInAttempt(db: Database, keys: SignInKeys, now: Date): Promise<AttemptClaim> {
  const policies = new Map<string, ThrottlePolicy>([
    [keys.account, SIGN_IN_THROTTLE.account],
    [keys.address, SIGN_IN_THROTTLE.address],
  ]);
  const sorted = [...policies.keys()].sort();
  const table = schema.signInThrottles;
  return db.transaction(async (tx) => {
    // Make sure both rows exist, then lock them, always in key order (no deadlock between attempts).
    await tx
      .insert(table)
      .values(sorted.map((key) => ({ key, attempts: 0, blockedUntil: now, lastAttemptAt: now })))
      .onConflictDoNothing();
    const rows = await tx.select().from(table).where(inArray(table.key, sorted)).orderBy(asc(table.key)).for('update');
    const windowStart = now.getTime() - SIGN_IN_THROTTLE.windowSeconds * 1000;
    let waitMs = 0;
    for (const row of rows) {
      if (row.lastAttemptAt.getTime() < windowStart) continue;
      waitMs = Math.max(waitMs, row.blockedUntil.getTime() - now.getTime());
    }
    if (waitMs > 0) return { isAllowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) };
    for (const row of rows) {
      const policy = policies.get(row.key);
      if (!policy) continue;
      const attempts = (row.lastAttemptAt.getTime() < windowStart ? 0 : row.attempts) + 1;
      await tx
        .update(table)
        .set({
          attempts,
          blockedUntil: new Date(now.getTime() + delayAfter(attempts, policy) * 1000),
          lastAttemptAt: now,
        })
        .where(eq(table.key, row.key));
    }
    return { isAllowed: true };
  });
}

/**
 * A successful sign-in: the account starts over, and the address gets its attempt back and no
 * wait (a person who knows the password is at that address).
 */
export async function recordSuccessfulSignIn(db: Database, keys: SignInKeys, now: Date): Promise<void> {
  const table = schema.signInThrottles;
  await db.delete(table).where(eq(table.key, keys.account));
  await db
    .update(table)
    .set({ attempts: sql`greatest(${table.attempts} - 1, 0)`, blockedUntil: now })
    .where(eq(table.key, keys.address));
}

/** Delete counters idle for longer than the window (they would start over anyway). */
export async function pruneSignInThrottles(db: Database, now: Date): Promise<void> {
  const table = schema.signInThrottles;
  await db
    .delete(table)
    .where(lt(table.lastAttemptAt, new Date(now.getTime() - SIGN_IN_THROTTLE.windowSeconds * 1000)));
}

/**
 * The form of a client address the throttle counts by: IPv4-mapped IPv6 as IPv4, other IPv6 by
 * its /64 (one subscriber usually holds a whole /64), anything else as given (bounded length).
 */
export function normalizeClientAddress(address: string): string {
  const trimmed = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(trimmed);
  if (mapped?.[1]) return mapped[1];
  if (!trimmed.includes(':')) return trimmed.slice(0, 64);
  const groups = expandIpv6(trimmed);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : trimmed.slice(0, 64);
}

/** The eight hextets of an IPv6 address (zone and embedded IPv4 not supported: undefined). */
function expandIpv6(address: string): string[] | undefined {
  const [head = '', tail, extra] = address.split('::');
  if (extra !== undefined || !/^[0-9a-f:]+$/.test(address)) return undefined;
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(Math.max(missing, 0)).fill('0'), ...right];
  if (groups.some((group) => group.length === 0 || group.length > 4)) return undefined;
  return groups.map((group) => group.replace(/^0+(?=.)/, ''));
}
