/**
 * Refused upgrade attempts per client address: each refusal takes a token; with none left, the
 * address's next attempts are answered 429 before any signature check or query, until tokens
 * come back. Successful attempts cost nothing, so units reconnecting normally are never slowed.
 */
export class AttemptThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    /** Refusals an address may collect at once. */
    private readonly burst: number,
    /** Tokens that come back per second. */
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the address may try again; 0 when it may now. */
  retryAfterSeconds(address: string): number {
    const bucket = this.refill(address);
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / this.perSecond);
  }

  /** Count a refused attempt of the address. */
  recordRefusal(address: string): void {
    const bucket = this.refill(address);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.buckets.set(address, bucket);
    if (this.buckets.size > 10_000) this.forgetFull();
  }

  private refill(address: string): { tokens: number; at: number } {
    const now = this.now();
    const bucket = this.buckets.get(address) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    return bucket;
  }

  /** Drop addresses whose bucket is full again (they are as if never seen). */
  private forgetFull(): void {
    for (const [address] of this.buckets) if (this.refill(address).tokens >= this.burst) this.buckets.delete(address);
  }
}
