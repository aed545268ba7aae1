import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { ApiError } from '../errors.js';
import { createCloudFixture, type CloudFixture } from '../testing/cloud-fixture.js';
import { signIn } from './sessions.js';
import { delayAfter, normalizeClientAddress, pruneSignInThrottles, SIGN_IN_THROTTLE } from './sign-in-throttle.js';

type Outcome = { kind: 'signed-in' } | { kind: 'wrong' } | { kind: 'throttled'; retryAfterSeconds: number };

describe('delayAfter', () => {
  it('lets the free attempts through, then doubles the wait up to the cap', () => {
    const policy = { freeAttempts: 3, baseDelaySeconds: 1, maxDelaySeconds: 10 };
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((attempts) => delayAfter(attempts, policy))).toEqual([
      0, 0, 1, 2, 4, 8, 10, 10,
    ]);
  });
});

describe('normalizeClientAddress', () => {
  it('counts IPv4-mapped IPv6 as IPv4 and IPv6 by its /64', () => {
    expect(normalizeClientAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeClientAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(normalizeClientAddress('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(normalizeClientAddress('2001:DB8:0:1:bbbb:cccc:dddd:eeee')).toBe('2001:db8:0:1::/64');
    expect(normalizeClientAddress('::1')).toBe('0:0:0:0::/64');
    expect(normalizeClientAddress('unknown')).toBe('unknown');
    expect(normalizeClientAddress('x'.repeat(500))).toHaveLength(64);
  });
});

describe.each(['pglite', 'postgres'] as const)('sign-in throttling on %s', (driver) => {
  let cloud: CloudFixture;
  let email: string;
  const password = 'correct horse battery staple';
  let clock: number;
  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    email = (await cloud.addUser('sp', 'Provider', 'victim@sp.example')).email;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  const attempt = async (account: string, secret: string, address: string): Promise<Outcome> => {
    try {
      await signIn(cloud.deps.db, { email: account, password: secret }, new Date(clock), address);
      return { kind: 'signed-in' };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === 'unauthenticated') return { kind: 'wrong' };
      expect(error.code).toBe('rate-limited');
      expect(error.message).toMatch(/too many attempts.*wait \d+ s/);
      return { kind: 'throttled', retryAfterSeconds: Number(error.details?.retryAfterSeconds) };
    }
  };
  const resetThrottles = () => cloud.deps.db.delete(schema.signInThrottles);

  it('slows down guesses at one account from many addresses, with growing waits capped low', async () => {
    await resetThrottles();
    clock = Date.parse('2027-03-01T10:00:00Z');
    const waits: number[] = [];
    let wrong = 0;
    // 30 guesses in a row, each from a new address: only the account counter can stop them.
    for (let guess = 0; guess < 30; guess++) {
      const outcome = await attempt(email, `guess ${guess}`, `198.51.100.${guess}`);
      if (outcome.kind === 'wrong') wrong++;
      if (outcome.kind === 'throttled') {
        waits.push(outcome.retryAfterSeconds);
        clock += outcome.retryAfterSeconds * 1000; // the attacker waits exactly as long as told
      }
    }
    expect(wrong + waits.length).toBe(30);
    expect(waits.length).toBeGreaterThan(0);
    expect(wrong).toBeLessThan(30);
    // Each refusal is followed by one counted guess; the waits double, then stay at the cap.
    expect(waits.slice(0, 6)).toEqual([1, 2, 4, 8, 16, 30]);
    expect(Math.max(...waits)).toBe(SIGN_IN_THROTTLE.account.maxDelaySeconds);

    // One more checked guess, right before the real user comes.
    let last = await attempt(email, 'last guess', '198.51.100.200');
    if (last.kind === 'throttled') {
      clock += last.retryAfterSeconds * 1000;
      last = await attempt(email, 'last guess', '198.51.100.200');
    }
    expect(last.kind).toBe('wrong');

    // The real user, elsewhere, gets in once the (capped) wait has passed, and starts over.
    const blocked = await attempt(email, password, '192.0.2.50');
    expect(blocked).toEqual({ kind: 'throttled', retryAfterSeconds: expect.any(Number) });
    expect((blocked as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(30);
    clock += SIGN_IN_THROTTLE.account.maxDelaySeconds * 1000;
    expect(await attempt(email, password, '192.0.2.50')).toEqual({ kind: 'signed-in' });
    expect(await attempt(email, 'a typo', '192.0.2.50')).toEqual({ kind: 'wrong' });
  });

  it('slows down one address trying many accounts much harder than an account, and a flood from it does not lock the user out for long', async () => {
    await resetThrottles();
    clock = Date.parse('2027-03-02T10:00:00Z');
    const attacker = '203.0.113.66';
    let lastWait = 0;
    let counted = 0;
    // The attacker keeps going (waiting as told) until 20 guesses were checked.
    for (let guess = 0; counted < 20; guess++) {
      const outcome = await attempt(guess % 2 === 0 ? email : `nobody${guess}@sp.example`, `guess ${guess}`, attacker);
      if (outcome.kind === 'throttled') {
        lastWait = outcome.retryAfterSeconds;
        clock += outcome.retryAfterSeconds * 1000;
      } else {
        counted++;
      }
    }
    const attackerBlock = await attempt(email, password, attacker);
    expect(attackerBlock.kind).toBe('throttled');
    expect((attackerBlock as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(
      SIGN_IN_THROTTLE.account.maxDelaySeconds,
    );
    expect(lastWait).toBeGreaterThan(SIGN_IN_THROTTLE.account.maxDelaySeconds);
    // The real user from another address waits no more than the account cap.
    clock += SIGN_IN_THROTTLE.account.maxDelaySeconds * 1000;
    expect(await attempt(email, password, '192.0.2.51')).toEqual({ kind: 'signed-in' });
    expect((await attempt('nobody@sp.example', 'x', attacker)).kind).toBe('throttled');
  });

  it('answers a burst of 200 parallel wrong sign-ins with at most the free attempts checked', async () => {
    await resetThrottles();
    clock = Date.parse('2027-03-03T10:00:00Z');
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, index) => attempt(email, `parallel guess ${index}`, '203.0.113.99')),
    );
    const wrong = outcomes.filter((outcome) => outcome.kind === 'wrong').length;
    const throttled = outcomes.filter((outcome) => outcome.kind === 'throttled');
    // A wrong answer needs a password hash; a throttled one is refused before hashing.
    expect(wrong).toBe(SIGN_IN_THROTTLE.account.freeAttempts);
    expect(throttled).toHaveLength(200 - SIGN_IN_THROTTLE.account.freeAttempts);
    expect(throttled.every((outcome) => outcome.kind === 'throttled' && outcome.retryAfterSeconds >= 1)).toBe(true);
  });

  it('forgets counters idle for the window', async () => {
    await resetThrottles();
    clock = Date.parse('2027-03-04T10:00:00Z');
    for (let guess = 0; guess < 6; guess++) await attempt(email, `guess ${guess}`, '203.0.113.5');
    expect((await attempt(email, 'again', '203.0.113.5')).kind).toBe('throttled');
    clock += (SIGN_IN_THROTTLE.windowSeconds + 1) * 1000;
    await pruneSignInThrottles(cloud.deps.db, new Date(clock));
    expect(await cloud.deps.db.select().from(schema.signInThrottles)).toEqual([]);
    expect(await attempt(email, password, '203.0.113.5')).toEqual({ kind: 'signed-in' });
  });
});
