import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureDirectory } from './measure-directory.js';
import { readUnitUsage } from './read-unit-usage.js';

describe('measureDirectory', () => {
  let directory = '';
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'openaos-measure-'));
    await mkdir(join(directory, 'a/b'), { recursive: true });
    await writeFile(join(directory, 'a/b/data'), Buffer.alloc(256 * 1024, 1));
    await link(join(directory, 'a/b/data'), join(directory, 'hardlink')); // counted once
    await symlink('/usr', join(directory, 'usr-link')); // not followed
    for (let index = 0; index < 20; index += 1) await writeFile(join(directory, `small-${index}`), 'x');
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('adds allocated blocks like du, hard links once, symlinks not followed', async () => {
    const size = await measureDirectory(directory);
    expect(size.isComplete).toBe(true);
    expect(size.usedBytes).toBeGreaterThanOrEqual(256 * 1024);
    expect(size.usedBytes).toBeLessThan(256 * 1024 + 200 * 1024);
  });

  it('stops at maxEntries and says the figure is a lower bound', async () => {
    const size = await measureDirectory(directory, { maxEntries: 5 });
    expect(size.isComplete).toBe(false);
  });

  it('counts a missing path as empty', async () => {
    expect(await measureDirectory(join(directory, 'missing'))).toEqual({ usedBytes: 0, isComplete: true });
  });
});

describe('readUnitUsage', () => {
  it('reads this unit: RAM within total, disk of the directory, growing CPU counters', async () => {
    const first = await readUnitUsage(tmpdir());
    let spin = 0;
    for (let index = 0; index < 5_000_000; index += 1) spin += index;
    await new Promise((resolve) => setTimeout(resolve, 30));
    const second = await readUnitUsage(tmpdir());
    expect(spin).toBeGreaterThan(0);
    expect(first.ramUsedBytes).toBeGreaterThan(0);
    expect(first.ramUsedBytes).toBeLessThan(first.ramTotalBytes);
    expect(first.disk.totalBytes).toBeGreaterThan(first.disk.usedBytes);
    expect(second.cpu.total).toBeGreaterThan(first.cpu.total);
    expect(second.cpu.busy).toBeGreaterThanOrEqual(first.cpu.busy);
  });
});
