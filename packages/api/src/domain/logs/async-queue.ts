/** A queue one consumer awaits: `push` never blocks, `next` waits for an item, a failure or the time limit. */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private failure: Error | undefined;
  private waiter: (() => void) | undefined;

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** Fail the consumer's current and next `next` (after the items already queued). */
  fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  /** The next item; rejects with the failure, or with `onTimeout()` after `timeoutMs` without one. */
  async next(timeoutMs: number, onTimeout: () => Error): Promise<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) return item;
      if (this.failure) throw this.failure;
      const isWoken = await new Promise<boolean>((resolve) => {
        const timer = timeoutMs > 0 ? setTimeout(() => resolve(false), timeoutMs) : undefined;
        this.waiter = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.waiter = undefined;
      if (!isWoken) throw onTimeout();
    }
  }

  private wake(): void {
    this.waiter?.();
  }
}
