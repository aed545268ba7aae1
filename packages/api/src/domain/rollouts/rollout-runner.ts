/**
 * Drives rollouts in a cloud process: a pass (advanceRollouts) on a timer, and soon after units
 * report (a `status-changed` announcement). Passes never overlap in a process; several processes
 * may pass at once — each rollout is decided under its row lock (advance-rollout.ts).
 */
import type { AdvanceDependencies } from './advance-rollout.js';
import { advanceRollouts } from './advance-rollout.js';

export interface RolloutRunner {
  /** Ask for a pass soon (coalesced with one pending). */
  poke(): void;
  /** Stop the timer and wait for a running pass. */
  stop(): Promise<void>;
}

export function startRolloutRunner(
  deps: AdvanceDependencies,
  options: { intervalMs?: number; log?: (message: string, error: unknown) => void } = {},
): RolloutRunner {
  const log = options.log ?? ((message, error) => console.error(message, error));
  let running: Promise<void> | undefined;
  let isDirty = false;
  let isStopped = false;
  const pass = async () => {
    while (isDirty && !isStopped) {
      isDirty = false;
      try {
        await advanceRollouts(deps);
      } catch (error) {
        log('advancing rollouts failed; retrying on the next pass', error);
      }
    }
  };
  const poke = () => {
    isDirty = true;
    if (running || isStopped) return;
    running = pass().finally(() => {
      running = undefined;
    });
  };
  const unsubscribe = deps.unitEvents.subscribe((event) => {
    if (event.kind === 'status-changed') poke();
  });
  const timer = setInterval(poke, options.intervalMs ?? 5000);
  timer.unref();
  poke();
  return {
    poke,
    async stop() {
      isStopped = true;
      clearInterval(timer);
      unsubscribe();
      await running;
    },
  };
}
