/**
 * Reconnect delays (docs/unit-channel.md): exponential from 1 s, doubling to 60 s, with full
 * jitter (a delay drawn uniformly in [0, cap]) so units that lost the cloud together do not come
 * back together; reset once a connection has lasted 30 s.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A connection that lasted this long resets the attempts. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  initialMs: 1000,
  maxMs: 60_000,
  resetAfterMs: 30_000,
});

/** The cap of attempt `attempt` (0-based): initial · 2^attempt, at most max. Pure. */
export function backoffCap(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
}

/** The delay before reconnect attempt `attempt`: full jitter, `random()` in [0, 1). Pure given `random`. */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  return Math.floor(random() * backoffCap(attempt, policy));
}

/** The attempt counter of one link: next delay, and reset after a long enough connection. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; counts the attempt. */
  next(): number {
    const delay = backoffDelay(this.attempt, this.random, this.policy);
    this.attempt += 1;
    return delay;
  }

  /** A connection ended after `connectedMs`: long enough resets the attempts. */
  connectionEnded(connectedMs: number): void {
    if (connectedMs >= this.policy.resetAfterMs) this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
