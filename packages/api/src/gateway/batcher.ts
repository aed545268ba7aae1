export interface BatcherOptions {
  /** The most items one run takes. */
  maxBatch: number;
  /** How long the first item of an idle batcher waits for others to join it (ms). */
  delayMs: number;
  /** Runs at once (each with its own items). Default 1. */
  concurrency?: number;
}

/**
 * Coalesces work items into batches: `add` resolves with the item's own result once the batch
 * holding it has run. An item waits `delayMs` for company (less once `maxBatch` items wait), and
 * longer while `concurrency` runs are under way; runs take items in arrival order. A run that
 * throws rejects each of its items with that error.
 */
export class Batcher<T, R> {
  private queue: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly concurrency: number;

  constructor(
    /** Runs a batch; returns one result per item, in the items' order. */
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly options: BatcherOptions,
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a run. */
  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.running >= this.concurrency || this.queue.length === 0) return;
    if (this.queue.length >= this.options.maxBatch) {
      this.startRun();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.startRun();
    }, this.options.delayMs);
  }

  private startRun(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running >= this.concurrency || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.running++;
    void this.run(batch.map((entry) => entry.item))
      .then(
        (results) => {
          batch.forEach((entry, index) => {
            if (index < results.length) entry.resolve(results[index] as R);
            else entry.reject(new Error('a batch run returned fewer results than items'));
          });
        },
        (error: unknown) => {
          for (const entry of batch) entry.reject(error);
        },
      )
      .finally(() => {
        this.running--;
        this.schedule();
      });
    this.schedule();
  }
}
