import { setTimeout } from 'node:timers/promises';

/** Percentile (nearest rank) of numbers; undefined when empty. */
export function percentile(values, fraction) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank];
}

/** Seconds with two decimals, from milliseconds. */
export const seconds = (ms) => (ms === undefined ? 'n/a' : (ms / 1000).toFixed(2));

/** Wait until `check()` is truthy, polling every `everyMs`; throws naming `what` (or what it returns) after `timeoutMs`. */
export async function waitUntil(check, what, timeoutMs, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(
        `waiting for ${typeof what === 'function' ? what() : what}: not reached in ${timeoutMs / 1000} s`,
      );
    await setTimeout(everyMs);
  }
}
