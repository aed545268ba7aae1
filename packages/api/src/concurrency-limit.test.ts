import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from './concurrency-limit.js';

describe('ConcurrencyLimit', () => {
  it('runs at most `concurrency` tasks, queues at most `maxQueued`, and refuses the rest at once', async () => {
    const limit = new ConcurrencyLimit({ concurrency: 2, maxQueued: 3, whenFull: () => new Error('full') });
    const gates: (() => void)[] = [];
    let running = 0;
    let mostRunning = 0;
    const task = () =>
      limit.run(async () => {
        running++;
        mostRunning = Math.max(mostRunning, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        return 'done';
      });
    const accepted = Array.from({ length: 5 }, task);
    await expect(task()).rejects.toThrow('full');
    expect(limit.load).toEqual({ active: 2, queued: 3 });
    // Release tasks one by one: each finished one hands its slot to the next waiting.
    while (gates.length > 0 || limit.load.active > 0) {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(accepted)).toEqual(Array(5).fill('done'));
    expect(mostRunning).toBe(2);
    expect(limit.load).toEqual({ active: 0, queued: 0 });
  });

  it('frees the slot of a task that fails', async () => {
    const limit = new ConcurrencyLimit({ concurrency: 1, maxQueued: 0, whenFull: () => new Error('full') });
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit.run(() => Promise.resolve(7))).toBe(7);
  });
});
