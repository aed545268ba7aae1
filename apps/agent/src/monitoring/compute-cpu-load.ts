import type { CpuTimes } from './parse-kernel-stats.js';

/**
 * Percent of the whole unit (all cores = 100) an instance used between two samples of its
 * cgroup CPU counter. A counter that went back (the instance restarted) gives 0.
 */
export function computeInstanceCpuPercent(
  previous: { cpuNanoseconds: number; at: number },
  next: { cpuNanoseconds: number; at: number },
  cpuCount: number,
): number {
  const usedNanoseconds = next.cpuNanoseconds - previous.cpuNanoseconds;
  const wallNanoseconds = (next.at - previous.at) * 1_000_000;
  if (usedNanoseconds <= 0 || wallNanoseconds <= 0 || cpuCount <= 0) return 0;
  return Math.min(100, (usedNanoseconds / (wallNanoseconds * cpuCount)) * 100);
}

/** Percent of the unit busy between two `/proc/stat` samples. */
export function computeUnitCpuPercent(previous: CpuTimes, next: CpuTimes): number {
  const total = next.total - previous.total;
  const busy = next.busy - previous.busy;
  if (total <= 0 || busy <= 0) return 0;
  return Math.min(100, (busy / total) * 100);
}

/**
 * The CPU figure reported to the cloud: DMIPS when the unit's DMIPS are known
 * (`percent × maxDmips / 100`, reference §4.6), else the percent itself.
 */
export function toReportedCpu(percent: number, maxDmips: number | undefined): number {
  return maxDmips === undefined ? percent : Math.round((percent * maxDmips) / 100);
}
