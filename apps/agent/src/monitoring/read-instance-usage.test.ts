import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { detectCgroupLayout, readInstanceUsage } from './read-instance-usage.js';
import { createTestCgroup, type TestCgroup } from './test-cgroup.js';

const layout = await detectCgroupLayout();
const skipReason =
  process.getuid?.() !== 0
    ? 'needs root to create cgroups'
    : layout.version !== 1
      ? 'test cgroups are created on v1 only'
      : '';
const MiB = 1024 * 1024;

describe.skipIf(skipReason !== '')(
  `readInstanceUsage on a real cgroup${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    const created: TestCgroup[] = [];
    afterEach(async () => {
      for (const cgroup of created.splice(0)) await cgroup.remove();
    });

    it('sees the memory, CPU time and tasks of the process inside', async () => {
      const cgroup = await createTestCgroup(layout, 'usage');
      created.push(cgroup);
      const before = await readInstanceUsage(layout, cgroup.cgroupsPath);
      expect(before).toMatchObject({ pids: 0, oomKills: 0 });
      expect(before!.ramBytes).toBeLessThan(4 * MiB);
      // 48 MiB written (so charged), then ~0.3 s of CPU, then idle.
      await cgroup.runInside(
        [
          'import time',
          "block = b'\\x01' * (48 << 20)",
          'end = time.process_time() + 0.3',
          'while time.process_time() < end: pass',
          "print('ready', flush=True)",
          'time.sleep(60)',
        ].join('\n'),
      );
      const usage = await readInstanceUsage(layout, cgroup.cgroupsPath);
      expect(usage!.ramBytes).toBeGreaterThanOrEqual(48 * MiB);
      expect(usage!.ramBytes).toBeLessThan(100 * MiB);
      expect(usage!.cpuNanoseconds).toBeGreaterThanOrEqual(300_000_000);
      expect(usage!.pids).toBe(1);
    });

    it('counts an OOM kill', async () => {
      const cgroup = await createTestCgroup(layout, 'oom', { memoryBytes: 32 * MiB });
      created.push(cgroup);
      const child = await cgroup.runInside("block = b'\\x01' * (128 << 20)\nprint('ready', flush=True)");
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
      expect(child.signalCode).toBe('SIGKILL');
      const usage = await readInstanceUsage(layout, cgroup.cgroupsPath);
      expect(usage!.oomKills).toBe(1);
    });

    it('returns undefined for a cgroup that does not exist', async () => {
      expect(await readInstanceUsage(layout, '/openaos-test-missing-cgroup')).toBeUndefined();
    });
  },
);
