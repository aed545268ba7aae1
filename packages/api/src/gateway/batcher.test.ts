import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

describe('Batcher', () => {
  it('coalesces items that arrive together into one run, and gives each its own result', async () => {
    const runs: number[][] = [];
    const batcher = new Batcher<number, number>(
      async (items) => {
        runs.push(items);
        return items.map((item) => item * 10);
      },
      { maxBatch: 100, delayMs: 5 },
    );
    const results = await Promise.all([1, 2, 3].map((item) => batcher.add(item)));
    expect(results).toEqual([10, 20, 30]);
    expect(runs).toEqual([[1, 2, 3]]);
  });

  it('splits at maxBatch, keeps arrival order, and queues behind a run under way (one at a time by default)', async () => {
    const runs: number[][] = [];
    let running = 0;
    let most = 0;
    const batcher = new Batcher<number, number>(
      async (items) => {
        running++;
        most = Math.max(most, running);
        runs.push(items);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
        return items;
      },
      { maxBatch: 2, delayMs: 1 },
    );
    const results = await Promise.all([1, 2, 3, 4, 5].map((item) => batcher.add(item)));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(runs.flat()).toEqual([1, 2, 3, 4, 5]);
    expect(runs.every((run) => run.length <= 2)).toBe(true);
    expect(most).toBe(1);
  });

  it('rejects the items of a run that throws, and runs the next batch anyway', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>(
      async (items) => {
        calls++;
        if (calls === 1) throw new Error('database gone');
        return items;
      },
      { maxBatch: 10, delayMs: 1 },
    );
    await expect(batcher.add(1)).rejects.toThrow('database gone');
    await expect(batcher.add(2)).resolves.toBe(2);
  });
});
