import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ConcurrencyLimit } from '../concurrency-limit.js';
import { ApiError } from '../errors.js';

// scrypt is memory-hard: N=2^15, r=8 needs 32 MiB per hash, which makes GPU guessing costly
// while a sign-in still takes well under a second. Parameters are stored with each hash so
// they can be raised later without invalidating existing passwords.
const R = 8;
const P = 1;
const KEY_LENGTH = 64;

/** log2 of scrypt's N for new hashes: 15 (32 MiB, ~0.1–0.2 s of a core per hash). */
export const DEFAULT_PASSWORD_HASH_COST = 15;
/** The range OPENAOS_PASSWORD_HASH_COST accepts: 10 (1 MiB, for test suites) to 20 (1 GiB). */
export const PASSWORD_HASH_COST_RANGE = { min: 10, max: 20 } as const;

// The cost of new hashes in this process (`startCloudCore`'s `passwordHashCost`). Like the
// concurrency limit below, a setting of the process: one cloud core runs per process.
let cost = DEFAULT_PASSWORD_HASH_COST;

/**
 * Set the cost (log2 N) of the hashes this process makes from now on. Stored hashes keep the
 * parameters they were made with, so lowering or raising it never locks anyone out; each step
 * down halves what a guess costs an attacker who has the hashes.
 */
export function setPasswordHashCost(value: number): void {
  if (!Number.isInteger(value) || value < PASSWORD_HASH_COST_RANGE.min || value > PASSWORD_HASH_COST_RANGE.max)
    throw new RangeError(
      `password hash cost ${value}: must be an integer from ${PASSWORD_HASH_COST_RANGE.min} to ${PASSWORD_HASH_COST_RANGE.max}`,
    );
  cost = value;
}

/** The cost (log2 N) new hashes get in this process. */
export function passwordHashCost(): number {
  return cost;
}

// Each hash takes 32 MiB and most of a core: run at most two at once and let few wait, so a
// flood of sign-ins costs a bounded amount of memory and CPU instead of one hash per request.
const passwordHashing = new ConcurrencyLimit({
  concurrency: 2,
  maxQueued: 32,
  whenFull: () =>
    new ApiError(
      'rate-limited',
      'checking a password: the cloud is busy with many other password checks; retry in a few seconds',
      { details: { retryAfterSeconds: 2 } },
    ),
});

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return passwordHashing.run(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem: 256 * 1024 * 1024 }, (error, key) =>
          error ? reject(error) : resolve(key),
        );
      }),
  );
}

/** How many password hashes run and wait now (for tests). */
export function passwordHashingLoad(): { active: number; queued: number } {
  return passwordHashing.load;
}

/** `scrypt$N$r$p$salt$hash` with a fresh 16-byte salt per password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const parameters = { N: 2 ** cost, r: R, p: P };
  const key = await derive(password, salt, parameters);
  return ['scrypt', parameters.N, parameters.r, parameters.p, salt.toString('base64'), key.toString('base64')].join(
    '$',
  );
}

/** Timing-safe comparison against a stored hash; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltText, keyText] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !saltText || !keyText) return false;
  const expected = Buffer.from(keyText, 'base64');
  const actual = await derive(password, Buffer.from(saltText, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A random password people can type: 20 characters from an unambiguous alphabet (~115 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}
