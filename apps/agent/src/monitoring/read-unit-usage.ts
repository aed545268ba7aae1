import { readFile, statfs } from 'node:fs/promises';
import { parseMeminfo, parseProcStat, type CpuTimes } from './parse-kernel-stats.js';

/** Counters of the whole unit at one moment. */
export interface UnitUsage {
  cpu: CpuTimes;
  ramUsedBytes: number;
  ramTotalBytes: number;
  /** The file system holding the agent's storage directory. */
  disk: { usedBytes: number; totalBytes: number };
}

/** Read the unit's CPU times, RAM and the disk of `storagePath` (statfs). */
export async function readUnitUsage(storagePath: string): Promise<UnitUsage> {
  const [statText, meminfoText, disk] = await Promise.all([
    readFile('/proc/stat', 'utf8'),
    readFile('/proc/meminfo', 'utf8'),
    statfs(storagePath),
  ]);
  const memory = parseMeminfo(meminfoText);
  return {
    cpu: parseProcStat(statText),
    ramUsedBytes: memory.usedBytes,
    ramTotalBytes: memory.totalBytes,
    // Used as df shows it: all blocks minus the free ones (reserved blocks count as used).
    disk: { usedBytes: (disk.blocks - disk.bfree) * disk.bsize, totalBytes: disk.blocks * disk.bsize },
  };
}
