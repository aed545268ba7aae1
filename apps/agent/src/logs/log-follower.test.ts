import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOG_WRITER_FUNCTION } from '../runtime/log-writer.js';
import { LogFollower, type LogBatch } from './log-follower.js';

/** The real log writer (as the shim runs it) fed by `producer`; resolves when both have finished. */
function runWriter(directory: string, maxBytes: number, files: number, producer: string): Promise<number | null> {
  const script = `log=current.log; max_bytes=${maxBytes}; max_files=${files}\n${LOG_WRITER_FUNCTION}\n{ ${producer}; } | write_log`;
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], { cwd: directory, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

/** Collects the batches of a follower; `waitFor` resolves once a condition on the lines holds. */
function collect() {
  const batches: LogBatch[] = [];
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  return {
    batches,
    lines: () => batches.flatMap((batch) => batch.lines),
    onBatch: (batch: LogBatch) => {
      batches.push(batch);
      for (const waiter of [...waiters]) if (waiter.test()) waiter.resolve();
      return Promise.resolve();
    },
    waitFor(test: () => boolean): Promise<void> {
      if (test()) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
  };
}

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_unused, index) => `line ${from + index}`);

describe('following a rotated log', () => {
  let dir = '';
  let log = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openaos-log-follow-'));
    log = join(dir, 'current.log');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hands over every line once, in order, while the real writer rotates many times under it', async () => {
    await writeFile(log, '');
    const seen = collect();
    const follower = new LogFollower({ log, onBatch: seen.onBatch, pollMs: 5 });
    // 2000 lines of ~10 bytes through 1000-byte files: ~20 rotations; 200 files keep them all. (A
    // rotation renames every file kept so far, one `mv` each: 65 rotations cost ~2,100 processes,
    // a minute on a loaded machine; 20 cost ~200.)
    expect(await runWriter(dir, 1000, 200, 'i=1; while [ $i -le 2000 ]; do echo "line $i"; i=$((i+1)); done')).toBe(0);
    await seen.waitFor(() => seen.lines().length >= 2000);
    follower.stop();
    expect(await follower.done).toBeUndefined();
    expect(seen.lines()).toEqual(numbered(1, 2000));
    // Batches chain: each starts where the previous ended, or at the start of the next file when
    // the previous one ended with a file (the same place, named by the next file).
    for (let index = 1; index < seen.batches.length; index++) {
      const from = seen.batches[index]?.from ?? '';
      if (!from.endsWith(':0')) expect(from).toBe(seen.batches[index - 1]?.next);
    }
  });

  it('resumed at a batch’s next position continues with the next line: nothing lost or repeated across rotations', async () => {
    await writeFile(log, '');
    const first = collect();
    const follower = new LogFollower({ log, onBatch: first.onBatch, pollMs: 5, maxBatchLines: 50 });
    // ~20 rotations, the first reader stopping after the fifth or so.
    const writing = runWriter(dir, 700, 200, 'i=1; while [ $i -le 1500 ]; do echo "line $i"; i=$((i+1)); done');
    await first.waitFor(() => first.lines().length >= 350);
    follower.stop();
    await follower.done;
    const resumeAt = first.batches.at(-1)?.next ?? '';
    const second = collect();
    const resumed = new LogFollower({ log, from: resumeAt, onBatch: second.onBatch, pollMs: 5 });
    expect(await writing).toBe(0);
    await second.waitFor(() => second.lines().at(-1) === 'line 1500');
    resumed.stop();
    await resumed.done;
    expect([...first.lines(), ...second.lines()]).toEqual(numbered(1, 1500));
    expect(second.batches[0]?.from).toBe(resumeAt);
    expect(second.batches.some((batch) => batch.skippedFrom)).toBe(false);
  });

  it('holds a line split between two files (the writer cuts at an exact size) as one line', async () => {
    await writeFile(log, 'first\nsec');
    const seen = collect();
    const follower = new LogFollower({ log, from: undefined, tailLines: 5, onBatch: seen.onBatch, pollMs: 5 });
    await seen.waitFor(() => seen.lines().length >= 1);
    await rename(log, `${log}.1`);
    await writeFile(log, 'ond\nthird\n');
    await seen.waitFor(() => seen.lines().length >= 3);
    follower.stop();
    await follower.done;
    expect(seen.lines()).toEqual(['first', 'second', 'third']);
  });

  it('starts at the end without tailLines, or that many complete lines back', async () => {
    await writeFile(log, 'a\nb\nc\nd\npartial');
    const fromEnd = collect();
    const plain = new LogFollower({ log, onBatch: fromEnd.onBatch, pollMs: 5 });
    const tail = collect();
    const tailed = new LogFollower({ log, tailLines: 2, onBatch: tail.onBatch, pollMs: 5 });
    await tail.waitFor(() => tail.lines().length >= 2);
    await appendFile(log, ' line\nnew\n');
    await fromEnd.waitFor(() => fromEnd.lines().length >= 2);
    await tail.waitFor(() => tail.lines().length >= 4);
    plain.stop();
    tailed.stop();
    await Promise.all([plain.done, tailed.done]);
    expect(tail.lines()).toEqual(['c', 'd', 'partial line', 'new']);
    // From the end: the partial line's start is before the end, so it begins with its remainder.
    expect(fromEnd.lines()).toEqual([' line', 'new']);
  });

  it('reports a gap when the position’s file was rotated out, and goes on with the oldest newer file', async () => {
    await writeFile(log, 'old 1\nold 2\n');
    const seen = collect();
    const follower = new LogFollower({ log, tailLines: 2, onBatch: seen.onBatch, pollMs: 5 });
    await seen.waitFor(() => seen.lines().length >= 2);
    follower.stop();
    await follower.done;
    const position = seen.batches[0]?.from ?? '';
    await rm(log);
    await writeFile(log, 'new 1\n');
    const after = collect();
    const resumed = new LogFollower({ log, from: position, onBatch: after.onBatch, pollMs: 5 });
    await after.waitFor(() => after.lines().length >= 1);
    resumed.stop();
    await resumed.done;
    expect(after.lines()).toEqual(['new 1']);
    expect(after.batches[0]?.skippedFrom).toBe(position);
  });

  it('refuses a position it did not write', async () => {
    await writeFile(log, '');
    const follower = new LogFollower({ log, from: 'nonsense', onBatch: () => Promise.resolve() });
    expect((await follower.done)?.message).toContain('"nonsense" is not a position this unit wrote');
  });
});
