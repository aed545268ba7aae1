import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openDatabase, type DatabaseHandle } from '@openaos/db';
import { loadOrCreateAuthority } from './authority.js';
import { createDiskBlobStorage, type BlobStorage } from './blob-storage.js';
import { startMaintenance, sweepDeadProcesses, type SweepResult } from './cloud-maintenance.js';
import { DEFAULT_MAX_UPLOAD_BYTES, type CloudDependencies } from './dependencies.js';
import { createPostgresUnitEvents } from './unit-events/postgres-unit-events.js';
import { createLocalUnitEvents } from './unit-events/unit-events.js';
import { bootstrapAdmin } from './domain/bootstrap.js';
import { DEFAULT_PASSWORD_HASH_COST, setPasswordHashCost } from './domain/passwords.js';
import type { MonitoringRetention } from './domain/monitoring/retention.js';
import { startRolloutRunner } from './domain/rollouts/rollout-runner.js';
import { DEFAULT_PROCESS_LEASE_SECONDS, registerCloudProcess, removeCloudProcess } from './domain/cloud-processes.js';
import { startLogRelay } from './domain/logs/log-relay.js';
import { createPostgresRelayTransport } from './domain/logs/relay-transport.js';

export interface StartCloudOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** Password of the first admin (else a random one is generated and returned once). */
  adminPassword?: string | undefined;
  maxUploadBytes?: number | undefined;
  /** SOURCE_DATE_EPOCH: the created time of every image built (else each package's signing time). */
  sourceDateEpoch?: Date | undefined;
  /**
   * How long this process counts as alive after its last heartbeat (default 30 s): a process that
   * dies while building a version has it failed by another one after this long.
   */
  processLeaseSeconds?: number | undefined;
  /** OPENAOS_PUBLIC_URL: the address put into provisioning commands (else the caller's). */
  publicUrl?: string | undefined;
  /** How long monitoring samples are kept (OPENAOS_MONITORING_RAW_HOURS / _ROLLUP_DAYS / _HOURLY_DAYS). */
  monitoringRetention?: MonitoringRetention | undefined;
  /** Where blobs live (an S3 bucket, …); default `<dataDir>/blobs` on disk. */
  blobStorage?: BlobStorage | undefined;
  /**
   * OPENAOS_PASSWORD_HASH_COST: log2 of scrypt's N for the passwords this process hashes
   * (default 15; 10–20). Lower only where hashing costs more than it protects, as in a test suite.
   */
  passwordHashCost?: number | undefined;
}

export interface CloudCore {
  deps: CloudDependencies;
  database: DatabaseHandle;
  /** Present on the very first start: the admin created and its password (print it once). */
  bootstrap: { email: string; password: string; generated: boolean } | null;
  /** What the start-up cleanup found of processes that died (versions failed, temp files removed). */
  recovered: SweepResult;
  close(): Promise<void>;
}

/**
 * Open everything the cloud needs in a data directory: the database (PGlite there, or
 * PostgreSQL), the blob store (`<dataDir>/blobs`), the CA (`<dataDir>/ca`, created on first
 * start) and the first admin. The process registers itself, and cleans up after processes that
 * died: their versions left `processing` are failed with a reason and their blobs and temp files
 * removed — at once with PGlite (no other process can use it), after their lease with PostgreSQL
 * (another live process may be building). The same cleanup then runs once per lease.
 */
export async function startCloudCore(options: StartCloudOptions): Promise<CloudCore> {
  const dataDir = resolve(options.dataDir);
  setPasswordHashCost(options.passwordHashCost ?? DEFAULT_PASSWORD_HASH_COST);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const database = await openDatabase({ dataDir, databaseUrl: options.databaseUrl });
  try {
    const authority = await loadOrCreateAuthority(dataDir);
    const blobs = options.blobStorage ?? createDiskBlobStorage(join(dataDir, 'blobs'));
    const processId = await registerCloudProcess(database.db);
    const tempDirectory = join(dataDir, 'tmp', processId);
    await mkdir(tempDirectory, { recursive: true, mode: 0o700 });
    const deps: CloudDependencies = {
      db: database.db,
      blobs,
      authority,
      tempDirectory,
      process: { id: processId, leaseSeconds: options.processLeaseSeconds ?? DEFAULT_PROCESS_LEASE_SECONDS },
      maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      now: () => new Date(),
      sourceDateEpoch: options.sourceDateEpoch,
      publicUrl: options.publicUrl,
      monitoringRetention: options.monitoringRetention,
      // One process per PGlite database: an in-memory bus; PostgreSQL: LISTEN/NOTIFY reaches every process.
      unitEvents:
        database.driver === 'postgres' && options.databaseUrl
          ? await createPostgresUnitEvents(options.databaseUrl)
          : createLocalUnitEvents(),
    };
    const isSoleProcess = database.driver === 'pglite';
    const recovered = await sweepDeadProcesses(deps, {
      isSoleProcess,
      partialBlobIdleSeconds: isSoleProcess ? 0 : deps.process.leaseSeconds,
    });
    const result = await bootstrapAdmin(database.db, options.adminPassword ? { password: options.adminPassword } : {});
    // Logs of units held by another process reach viewers here through PostgreSQL (docs/logs.md).
    const logRelay =
      database.driver === 'postgres' && options.databaseUrl
        ? startLogRelay(deps, await createPostgresRelayTransport(options.databaseUrl, processId))
        : undefined;
    const maintenance = startMaintenance(deps, { isSoleProcess });
    const rollouts = startRolloutRunner(deps);
    return {
      deps,
      database,
      bootstrap: result.created
        ? { email: result.email, password: result.password, generated: result.generated }
        : null,
      recovered,
      close: async () => {
        await maintenance.stop();
        await rollouts.stop();
        await deps.unitEvents.close();
        await logRelay?.close();
        // Versions this process was still building lose their owner and are failed by the next sweep.
        await removeCloudProcess(database.db, processId).catch(() => undefined);
        await rm(tempDirectory, { recursive: true, force: true });
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
