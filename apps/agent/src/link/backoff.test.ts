import { describe, expect, it } from 'vitest';
import { Backoff, backoffCap, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';

describe('backoff', () => {
  it.each([
    [0, 1000],
    [1, 2000],
    [2, 4000],
    [5, 32_000],
    [6, 60_000],
    [40, 60_000],
  ])('caps attempt %i at %i ms', (attempt, cap) => {
    expect(backoffCap(attempt)).toBe(cap);
  });

  it('draws a full-jitter delay in [0, cap)', () => {
    expect(backoffDelay(3, () => 0)).toBe(0);
    expect(backoffDelay(3, () => 0.5)).toBe(4000);
    expect(backoffDelay(3, () => 0.999_999)).toBe(7999);
    expect(backoffDelay(10, () => 0.999_999)).toBe(59_999);
  });

  it('counts attempts and resets only after a connection that lasted long enough', () => {
    const backoff = new Backoff(DEFAULT_BACKOFF, () => 0.5);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([500, 1000, 2000]);
    backoff.connectionEnded(29_999);
    expect(backoff.next()).toBe(4000);
    backoff.connectionEnded(30_000);
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(500);
  });
});
