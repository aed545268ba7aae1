/**
 * The daemon loop: runs reconcile passes until stopped.
 *
 * Invariants:
 * - One pass at a time: a pass is awaited before the next starts; nothing else executes steps.
 * - The pause between passes is the poll interval, 10 ms while an instance is starting (so
 *   `active` is reported promptly), or the backoff after a failed pass (1 s doubling to 30 s).
 *   A failing pass never ends the loop.
 * - `wake()` (a new target, an inbox entry) runs the next pass at once, or right after the
 *   current one: a wake during a pass is not lost.
 * - Stopping ends the loop after the current pass; containers keep running (a restarted agent
 *   re-adopts them).
 */
import { watch, type FSWatcher } from 'node:fs';
import { describeError } from '../errors.js';

const MAX_BACKOFF_MS = 30_000;
const SETTLING_POLL_MS = 10;

export interface LoopOptions {
  /** One pass; resolves whether an instance is starting (poll fast then). */
  runPass: () => Promise<{ isSettling: boolean }>;
  pollIntervalMs: number;
  /** A directory whose changes wake the loop (the inbox), watched with inotify while running. */
  wakeOnChangesIn?: string;
  log: (message: string) => void;
}

export class ReconcileLoop {
  private isRunning = false;
  private isWakeRequested = false;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: LoopOptions) {}

  /** Run the next pass now, or right after the current one. */
  wake(): void {
    this.isWakeRequested = true;
    this.wakeUp?.();
  }

  /** End the loop after the current pass. */
  stop(): void {
    this.isRunning = false;
    this.wakeUp?.();
  }

  /** Run passes until `stop()`. */
  async run(): Promise<void> {
    this.isRunning = true;
    const watcher = this.watchForWake();
    let backoff = 0;
    let isSettling = false;
    try {
      while (this.isRunning) {
        try {
          ({ isSettling } = await this.options.runPass());
          backoff = 0;
        } catch (error) {
          backoff = Math.min(MAX_BACKOFF_MS, backoff === 0 ? 1000 : backoff * 2);
          this.options.log(`reconcile failed, retrying in ${backoff / 1000} s: ${describeError(error)}`);
        }
        if (!this.isRunning) break;
        const pollMs = isSettling
          ? Math.min(SETTLING_POLL_MS, this.options.pollIntervalMs)
          : this.options.pollIntervalMs;
        await this.pause(backoff || pollMs);
      }
    } finally {
      watcher?.close();
    }
  }

  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.isWakeRequested || !this.isRunning) return resolve();
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
    this.isWakeRequested = false;
  }

  private watchForWake(): FSWatcher | undefined {
    if (!this.options.wakeOnChangesIn) return undefined;
    try {
      return watch(this.options.wakeOnChangesIn, () => this.wake());
    } catch {
      // No inotify: the poll interval still picks changes up.
      return undefined;
    }
  }
}
