import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCgroupMountPoints } from './cgroup-hierarchies.js';
import { removeCgroupDirs, removeUnclaimedCgroups } from './remove-cgroups.js';

describe('parseCgroupMountPoints', () => {
  it('lists every cgroup and cgroup2 mount once, unescaped, and nothing else', () => {
    const text = [
      '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
      '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
      '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory',
      '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
      '41 31 0:38 / /sys/fs/cgroup/uni\\040fied rw,relatime - cgroup2 cgroup2 rw',
    ].join('\n');
    expect(parseCgroupMountPoints(text)).toEqual([
      '/sys/fs/cgroup/cpu,cpuacct',
      '/sys/fs/cgroup/memory',
      '/sys/fs/cgroup/systemd',
      '/sys/fs/cgroup/uni fied',
    ]);
  });
});

describe('removeCgroupDirs', () => {
  let root: string;
  let mountinfoText: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'openaos-cgroups-'));
    mountinfoText = ['memory', 'pids', 'cpu']
      .map((name, index) => `${30 + index} 1 0:${index} / ${join(root, name)} rw - cgroup cgroup rw,${name}`)
      .join('\n');
    // memory: the instance with a sub-cgroup and a file; pids: the instance only; cpu: nothing of it.
    await mkdir(join(root, 'memory/parent/instance/sub'), { recursive: true });
    await writeFile(join(root, 'memory/parent/instance/tasks'), '');
    await mkdir(join(root, 'pids/parent/instance'), { recursive: true });
    await mkdir(join(root, 'pids/parent/other'), { recursive: true });
    await mkdir(join(root, 'cpu/parent'), { recursive: true });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('removes the cgroup leaf-first in every hierarchy, skips the missing ones, and logs what it leaves', async () => {
    const logged: string[] = [];
    const removed = await removeCgroupDirs('/parent/instance/', (message) => logged.push(message), { mountinfoText });
    expect(removed).toEqual([join(root, 'memory/parent/instance/sub'), join(root, 'pids/parent/instance')]);
    // A plain directory with a file in it stands in for a cgroup still in use.
    expect(logged).toEqual([`leaving cgroup ${join(root, 'memory/parent/instance')}: still in use`]);
    expect(await readdir(join(root, 'memory/parent/instance'))).toEqual(['tasks']);
    expect(await readdir(join(root, 'pids/parent'))).toEqual(['other']);
  });

  it('removes only the parent itself without withChildren, and refuses the hierarchy root', async () => {
    const logged: string[] = [];
    const removed = await removeCgroupDirs('parent', (message) => logged.push(message), {
      mountinfoText,
      withChildren: false,
    });
    expect(removed).toEqual([join(root, 'cpu/parent')]);
    expect(await readdir(join(root, 'pids/parent'))).toEqual(['instance', 'other']);
    await expect(removeCgroupDirs('/', () => undefined, { mountinfoText })).rejects.toThrow(/refusing the root/);
  });

  it('refuses to treat the hierarchy root as the cgroup parent whose unclaimed children it kills', async () => {
    for (const cgroupParent of ['/', '//', ''])
      await expect(removeUnclaimedCgroups({ cgroupParent }, [], () => undefined)).rejects.toMatchObject({
        code: 'bad-cgroup-parent',
      });
  });
});

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('removeUnclaimedCgroups (real cgroups, root only)', () => {
  const parent = `/openaos-test-unclaimed-${process.pid}`;
  const hierarchies = ['/sys/fs/cgroup/memory', '/sys/fs/cgroup/pids', '/sys/fs/cgroup/freezer'];
  const children: ChildProcess[] = [];

  /** A `sleep` moved into `cgroup` (relative to the parent) in every test hierarchy. */
  async function sleepIn(cgroup: string): Promise<ChildProcess> {
    const child = spawn('sleep', ['3600'], { stdio: 'ignore' });
    children.push(child);
    for (const hierarchy of hierarchies) {
      await mkdir(join(hierarchy, parent, cgroup), { recursive: true });
      await writeFile(join(hierarchy, parent, cgroup, 'cgroup.procs'), String(child.pid));
    }
    return child;
  }

  afterEach(async () => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    for (const hierarchy of hierarchies)
      for (const dir of ['orphan/sub', 'orphan', 'kept', ''])
        await rmdir(join(hierarchy, parent, dir)).catch(() => undefined);
  });

  it('kills what runs in the unclaimed cgroups and their sub-cgroups (frozen or not), removes them, and leaves the claimed one', async () => {
    const orphan = await sleepIn('orphan');
    const nested = await sleepIn('orphan/sub');
    const kept = await sleepIn('kept');
    // A paused container: its tasks take the SIGKILL only once thawed.
    await writeFile(join('/sys/fs/cgroup/freezer', parent, 'orphan', 'freezer.state'), 'FROZEN');
    const logged: string[] = [];
    const orphanExits = [once(orphan, 'exit'), once(nested, 'exit')];
    const removed = await removeUnclaimedCgroups({ cgroupParent: parent }, [`${parent}/kept/`], (line) =>
      logged.push(line),
    );
    expect(removed).toEqual([`${parent}/orphan`]);
    expect((await Promise.all(orphanExits)).map(([, signal]: unknown[]) => signal)).toEqual(['SIGKILL', 'SIGKILL']);
    expect(kept.exitCode === null && kept.signalCode === null).toBe(true);
    for (const hierarchy of hierarchies) expect(await readdir(join(hierarchy, parent))).toContain('kept');
    for (const hierarchy of hierarchies)
      expect(
        (await readdir(join(hierarchy, parent), { withFileTypes: true }))
          .filter((entry) => entry.isDirectory())
          .map((entry) => entry.name),
      ).toEqual(['kept']);
    expect(logged[0]).toBe(`removing cgroup ${parent}/orphan: no record claims it`);
    expect(logged[1]).toMatch(new RegExp(`^killed what still ran in cgroup ${parent}/orphan: pids \\d+, \\d+$`));
  });
});
