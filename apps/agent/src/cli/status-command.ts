import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { UnitStatus } from '../formats/unit-status.js';
import { AgentError } from '../errors.js';
import { agentFiles, resolveStoragePaths } from '../paths.js';
import { readJsonFile } from '../persist/atomic-write.js';

/** `aos-agent status`: the last unitStatus the daemon wrote. */
export async function readStatus(storageDir: string): Promise<UnitStatus> {
  const status = await readJsonFile<UnitStatus>(agentFiles(resolveStoragePaths(resolve(storageDir))).status);
  if (!status)
    throw new AgentError(
      'not-running',
      `reading status in ${storageDir}: no status yet; start the daemon (aos-agent run --storage-dir ${storageDir})`,
    );
  return status;
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_cell, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Whether a daemon runs on this storage (its pid file names a live process). */
export async function isDaemonRunning(storageDir: string): Promise<boolean> {
  const pidFile = agentFiles(resolveStoragePaths(resolve(storageDir))).daemonPid;
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Latest usage per `serviceId/subjectId/index` (written by the daemon's monitor), if any. */
export async function readUsage(storageDir: string): Promise<Record<string, { cpu: number; ram: number }>> {
  const usagePath = agentFiles(resolveStoragePaths(resolve(storageDir))).usage;
  return (await readJsonFile<Record<string, { cpu: number; ram: number }>>(usagePath).catch(() => undefined)) ?? {};
}

/** Status for people: services, then instances with usage and the reason of any failure. */
export function formatStatus(status: UnitStatus, usage: Record<string, { cpu: number; ram: number }> = {}): string {
  const services = [
    ['SERVICE', 'VERSION', 'STATUS', 'DETAILS'],
    ...status.services.map((service) => [
      service.id,
      service.version,
      service.status,
      service.errorInfo?.message ?? '',
    ]),
  ];
  const instances = [
    ['INSTANCE', 'VERSION', 'STATUS', 'CPU', 'RAM', 'DETAILS'],
    ...status.instances.map((instance) => {
      const key = `${instance.serviceId}/${instance.subjectId}/${instance.instance}`;
      const reading = instance.status === 'active' ? usage[key] : undefined;
      return [
        key,
        instance.version,
        instance.status,
        reading ? reading.cpu.toFixed(1) : '-',
        reading ? `${(reading.ram / 1048576).toFixed(1)}M` : '-',
        instance.errorInfo?.message ?? '',
      ];
    }),
  ];
  return `${table(services)}\n\n${table(instances)}\n`;
}
