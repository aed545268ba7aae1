import { describe, expect, it } from 'vitest';
import { parseCgroupMounts } from './parse-cgroup-mounts.js';
import { parseKeyedValues, parseMeminfo, parseProcStat } from './parse-kernel-stats.js';

describe('parseProcStat', () => {
  it('counts user+nice+system+irq+softirq+steal as busy, idle+iowait as not', () => {
    const text = 'cpu  100 5 50 1000 20 3 2 1 7 0\ncpu0 50 2 25 500 10 1 1 0 0 0\nintr 1\n';
    expect(parseProcStat(text)).toEqual({ busy: 161, total: 1181 });
  });

  it('refuses text without the aggregate line', () => {
    expect(() => parseProcStat('cpu0 1 2 3\n')).toThrow(/no aggregate/);
  });
});

describe('parseMeminfo', () => {
  it('uses MemAvailable', () => {
    expect(parseMeminfo('MemTotal:       1000 kB\nMemFree:  100 kB\nMemAvailable:    600 kB\n')).toEqual({
      totalBytes: 1_024_000,
      usedBytes: 409_600,
    });
  });
  it('falls back to free + buffers + cached on old kernels', () => {
    expect(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n').usedBytes).toBe(
      600 * 1024,
    );
  });
});

describe('parseKeyedValues', () => {
  it('reads memory.oom_control and cpu.stat text', () => {
    const values = parseKeyedValues('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n');
    expect(values.get('oom_kill')).toBe(3);
    expect(parseKeyedValues('usage_usec 1234\nuser_usec 1000\n').get('usage_usec')).toBe(1234);
  });
});

describe('parseCgroupMounts', () => {
  it('finds separately mounted v1 controllers on a hybrid host (this machine)', () => {
    const text = [
      'tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0',
      'cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0',
      'cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0',
      'cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0',
      'cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0',
      'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0',
    ].join('\n');
    expect(parseCgroupMounts(text)).toEqual({
      version: 1,
      controllers: { memory: '/sys/fs/cgroup/memory', cpuacct: '/sys/fs/cgroup/cpuacct', pids: '/sys/fs/cgroup/pids' },
      unifiedRoot: '/sys/fs/cgroup/unified',
    });
  });

  it('finds co-mounted cpu,cpuacct', () => {
    const text =
      'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,cpu,cpuacct 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n';
    expect(parseCgroupMounts(text).controllers.cpuacct).toBe('/sys/fs/cgroup/cpu,cpuacct');
  });

  it('falls back to the unified hierarchy', () => {
    expect(parseCgroupMounts('cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec 0 0\n')).toEqual({
      version: 2,
      controllers: {},
      unifiedRoot: '/sys/fs/cgroup',
    });
  });

  it('says what to do when no cgroups are mounted', () => {
    expect(() => parseCgroupMounts('proc /proc proc rw 0 0\n')).toThrow(/mount cgroups/);
  });
});
