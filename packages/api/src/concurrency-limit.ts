/**
 * At most `concurrency` tasks at once, at most `maxQueued` waiting; past that a task is refused at
 * once with `whenFull()`, so a burst cannot pile up work (and memory) without bound.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: { concurrency: number; maxQueued: number; whenFull: () => Error }) {}

  /** Tasks running now and waiting, for tests and logs. */
  get load(): { active: number; queued: number } {
    return { active: this.active, queued: this.waiting.length };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.options.concurrency) {
      if (this.waiting.length >= this.options.maxQueued) throw this.options.whenFull();
      // The slot is handed over by the task that finishes (active is not decremented then).
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
