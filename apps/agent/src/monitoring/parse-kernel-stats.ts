/**
 * Parsers of the kernel's text files the monitor reads. Pure, so they are tested with
 * captured text; the readers around them do the I/O.
 */

/** `key value` lines (memory.stat, cpu.stat, memory.events, memory.oom_control) → numbers. */
export function parseKeyedValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key === undefined || key === '' || value === undefined) continue;
    const number = Number(value);
    if (Number.isFinite(number)) values.set(key, number);
  }
  return values;
}

/** CPU time of the whole unit from `/proc/stat` (jiffies): busy and total. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/**
 * The aggregate `cpu` line of `/proc/stat`: user nice system idle iowait irq softirq steal
 * guest guest_nice. Idle and iowait are not busy; guest time is already inside user/nice,
 * so it is not added twice.
 */
export function parseProcStat(text: string): CpuTimes {
  const line = text.split('\n').find((candidate) => candidate.startsWith('cpu '));
  if (line === undefined) throw new Error('reading /proc/stat: no aggregate "cpu" line');
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** RAM of the unit from `/proc/meminfo`: total and used (total − available), in bytes. */
export function parseMeminfo(text: string): { totalBytes: number; usedBytes: number } {
  const kibibytes = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+)/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) kibibytes.set(match[1], Number(match[2]));
  }
  const total = kibibytes.get('MemTotal');
  if (total === undefined) throw new Error('reading /proc/meminfo: no MemTotal line');
  // MemAvailable exists since Linux 3.14; before, free + buffers + cached is the usual estimate.
  const available =
    kibibytes.get('MemAvailable') ??
    (kibibytes.get('MemFree') ?? 0) + (kibibytes.get('Buffers') ?? 0) + (kibibytes.get('Cached') ?? 0);
  return { totalBytes: total * 1024, usedBytes: Math.max(0, total - available) * 1024 };
}
