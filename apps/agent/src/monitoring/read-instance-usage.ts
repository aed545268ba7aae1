import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCgroupMounts, type CgroupLayout } from './parse-cgroup-mounts.js';
import { parseKeyedValues } from './parse-kernel-stats.js';

/** Counters of one instance's cgroup at one moment. */
export interface InstanceUsage {
  /** CPU time used since the cgroup was created (ns); a counter, compare two samples. */
  cpuNanoseconds: number;
  /** Memory in use without the reclaimable page cache (bytes). */
  ramBytes: number;
  /** Processes and threads in the cgroup (undefined without the pids controller). */
  pids?: number;
  /** Processes the OOM killer killed in the cgroup (undefined on kernels that do not count). */
  oomKills?: number;
}

/** The cgroup layout of this host, from `/proc/self/mounts`. */
export async function detectCgroupLayout(mountsPath = '/proc/self/mounts'): Promise<CgroupLayout> {
  return parseCgroupMounts(await readFile(mountsPath, 'utf8'));
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`reading ${path}: ${(error as Error).message}`, { cause: error });
  }
}

async function readNumber(path: string): Promise<number | undefined> {
  const text = await readText(path);
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : undefined;
}

async function readVersion1(
  controllers: CgroupLayout['controllers'],
  cgroupsPath: string,
): Promise<InstanceUsage | undefined> {
  if (controllers.memory === undefined || controllers.cpuacct === undefined) return undefined;
  const memoryDirectory = join(controllers.memory, cgroupsPath);
  const [usage, statText, cpu, oomText] = await Promise.all([
    readNumber(join(memoryDirectory, 'memory.usage_in_bytes')),
    readText(join(memoryDirectory, 'memory.stat')),
    readNumber(join(controllers.cpuacct, cgroupsPath, 'cpuacct.usage')),
    readText(join(memoryDirectory, 'memory.oom_control')),
  ]);
  if (usage === undefined || cpu === undefined) return undefined;
  // As docker/cAdvisor "working set": inactive file pages are reclaimable, not the service's.
  const inactiveFile = parseKeyedValues(statText ?? '').get('total_inactive_file') ?? 0;
  const pids =
    controllers.pids === undefined ? undefined : await readNumber(join(controllers.pids, cgroupsPath, 'pids.current'));
  const oomKills = parseKeyedValues(oomText ?? '').get('oom_kill');
  return {
    cpuNanoseconds: cpu,
    ramBytes: Math.max(0, usage - inactiveFile),
    ...(pids === undefined ? {} : { pids }),
    ...(oomKills === undefined ? {} : { oomKills }),
  };
}

async function readVersion2(root: string, cgroupsPath: string): Promise<InstanceUsage | undefined> {
  const directory = join(root, cgroupsPath);
  const [current, statText, cpuText, pids, eventsText] = await Promise.all([
    readNumber(join(directory, 'memory.current')),
    readText(join(directory, 'memory.stat')),
    readText(join(directory, 'cpu.stat')),
    readNumber(join(directory, 'pids.current')),
    readText(join(directory, 'memory.events')),
  ]);
  const usageMicroseconds = parseKeyedValues(cpuText ?? '').get('usage_usec');
  if (current === undefined || usageMicroseconds === undefined) return undefined;
  const inactiveFile = parseKeyedValues(statText ?? '').get('inactive_file') ?? 0;
  const oomKills = parseKeyedValues(eventsText ?? '').get('oom_kill');
  return {
    cpuNanoseconds: usageMicroseconds * 1000,
    ramBytes: Math.max(0, current - inactiveFile),
    ...(pids === undefined ? {} : { pids }),
    ...(oomKills === undefined ? {} : { oomKills }),
  };
}

/**
 * Read an instance's counters from its cgroup (`cgroupsPath` as in its runtime spec, e.g.
 * `/openaos/<instanceId>`). Undefined when the cgroup does not exist (instance not running).
 */
export async function readInstanceUsage(layout: CgroupLayout, cgroupsPath: string): Promise<InstanceUsage | undefined> {
  if (layout.version === 1) return readVersion1(layout.controllers, cgroupsPath);
  if (layout.unifiedRoot === undefined) return undefined;
  return readVersion2(layout.unifiedRoot, cgroupsPath);
}
