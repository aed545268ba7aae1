import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInstanceUsage } from './read-instance-usage.js';

// This machine mounts v1 controllers (the v2 hierarchy has none enabled), so the v2 reader is
// checked against a directory holding the files a v2 kernel writes, with their real formats.
describe('readInstanceUsage on cgroup v2 files', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'openaos-cgroup2-'));
    const directory = join(root, 'openaos/instance-1');
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, 'memory.current'), '73400320\n');
    await writeFile(
      join(directory, 'memory.stat'),
      'anon 50331648\nfile 23068672\nactive_file 2097152\ninactive_file 20971520\n',
    );
    await writeFile(join(directory, 'cpu.stat'), 'usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n');
    await writeFile(join(directory, 'pids.current'), '4\n');
    await writeFile(join(directory, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\n');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads usage_usec, memory.current minus inactive_file, pids and oom_kill', async () => {
    expect(await readInstanceUsage({ version: 2, controllers: {}, unifiedRoot: root }, '/openaos/instance-1')).toEqual({
      cpuNanoseconds: 1_500_000_000,
      ramBytes: 73_400_320 - 20_971_520,
      pids: 4,
      oomKills: 2,
    });
  });

  it('returns undefined for a missing cgroup', async () => {
    expect(
      await readInstanceUsage({ version: 2, controllers: {}, unifiedRoot: root }, '/openaos/missing'),
    ).toBeUndefined();
  });
});
