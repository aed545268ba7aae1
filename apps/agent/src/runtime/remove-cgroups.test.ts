import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCgroupMountPoints, removeCgroupDirs } from './remove-cgroups.js';

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
});
