/**
 * The work every cloud process does besides answering requests: keep its heartbeat, and clean up
 * after processes that died (versions left `processing`, their blobs, their temp directories).
 *
 * Invariants:
 * - a process touches another's work only when that process is dead (heartbeat older than the
 *   lease, or — embedded PGlite, where only one process can open the database — not itself);
 * - each process keeps its temp files under `<dataDir>/tmp/<its id>/`, so a directory there not
 *   named by a live process is garbage, whichever process left it;
 * - a dead process's row is removed last, so a sweep cut off half-way is finished by the next one.
 */
import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CloudDependencies } from './dependencies.js';
import { classifyProcesses, removeCloudProcess, renewHeartbeat } from './domain/cloud-processes.js';
import { failInterruptedBuilds, type FailedVersion } from './domain/interrupted-builds.js';
import { pruneSignInThrottles } from './domain/sign-in-throttle.js';
import { maintainMonitoring } from './domain/monitoring/maintain-monitoring.js';

export interface SweepOptions {
  /** Only this process can use the database (embedded PGlite): every other registered process is dead. */
  isSoleProcess: boolean;
  /** Blob-store temp files untouched for this long belong to a put that stopped; 0 removes all (start-up of a sole process). */
  partialBlobIdleSeconds: number;
}

export interface SweepResult {
  deadProcesses: string[];
  failedVersions: FailedVersion[];
  removedTempEntries: string[];
}

type MaintenanceDependencies = Pick<
  CloudDependencies,
  'db' | 'blobs' | 'process' | 'tempDirectory' | 'now' | 'monitoringRetention'
>;

/** Clean up after dead processes once. */
export async function sweepDeadProcesses(deps: MaintenanceDependencies, options: SweepOptions): Promise<SweepResult> {
  // List before classifying: a process registers before it makes its directory, so every
  // directory listed here belongs to a process the classification already knows.
  const tempRoot = dirname(deps.tempDirectory);
  const tempEntries = await readdir(tempRoot).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const { live, dead } = await classifyProcesses(deps.db, {
    selfId: deps.process.id,
    leaseSeconds: deps.process.leaseSeconds,
    isSoleProcess: options.isSoleProcess,
  });
  // Dead processes' directories, and anything else no live process owns.
  const removedTempEntries = tempEntries.filter((name) => !live.has(name));
  for (const name of removedTempEntries) await rm(join(tempRoot, name), { recursive: true, force: true });
  await deps.blobs.removeStaleTemporaries(new Date(Date.now() - options.partialBlobIdleSeconds * 1000));
  const failedVersions = await failInterruptedBuilds(deps, dead);
  for (const id of dead) await removeCloudProcess(deps.db, id);
  return { deadProcesses: dead, failedVersions, removedTempEntries };
}

export interface Maintenance {
  /** Stop the timer and wait for a pass that is running. */
  stop(): Promise<void>;
}

/**
 * Renew this process's heartbeat three times per lease; once per lease sweep up after dead processes
 * and delete idle sign-in counters. The timer does not keep the process alive. A failed pass is logged and retried on the next tick.
 */
export function startMaintenance(
  deps: MaintenanceDependencies,
  options: Pick<SweepOptions, 'isSoleProcess'>,
  log: (message: string, error: unknown) => void = (message, error) => console.error(message, error),
): Maintenance {
  const tickMs = (deps.process.leaseSeconds * 1000) / 3;
  let tick = 0;
  let running: Promise<void> = Promise.resolve();
  const pass = async () => {
    try {
      await renewHeartbeat(deps.db, deps.process.id);
    } catch (error) {
      log('renewing this cloud process heartbeat failed; retrying', error);
      return;
    }
    if (++tick % 3 !== 0) return;
    try {
      await sweepDeadProcesses(deps, {
        isSoleProcess: options.isSoleProcess,
        partialBlobIdleSeconds: deps.process.leaseSeconds,
      });
    } catch (error) {
      log('cleaning up after stopped cloud processes failed; retrying', error);
    }
    try {
      await pruneSignInThrottles(deps.db, deps.now());
    } catch (error) {
      log('deleting idle sign-in throttle counters failed; retrying', error);
    }
    await maintainMonitoring(deps).catch((error: unknown) =>
      log('deleting old monitoring samples failed; retrying', error),
    );
  };
  const timer = setInterval(() => {
    running = running.then(pass);
  }, tickMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
