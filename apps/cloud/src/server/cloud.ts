import { createS3BlobStorage, startCloudCore, type CloudCore } from '@openaos/api';
import { readEnv, type Env } from './env.js';

interface CloudState {
  env: Env;
  core: Promise<CloudCore>;
}

// The custom server and Next's route handlers run in one process but may load this module
// through different loaders; the one cloud core lives on globalThis so both share it.
const KEY = Symbol.for('openaos.cloud');
type GlobalWithCloud = typeof globalThis & { [KEY]?: CloudState };

/** The process's cloud core (database, blobs, CA), opened on first use. */
export function getCloud(): { env: Env; core: Promise<CloudCore> } {
  const global = globalThis as GlobalWithCloud;
  if (!global[KEY]) {
    const env = readEnv();
    global[KEY] = {
      env,
      core: startCloudCore({
        dataDir: env.dataDir,
        databaseUrl: env.DATABASE_URL,
        adminPassword: env.OPENAOS_ADMIN_PASSWORD,
        maxUploadBytes: env.OPENAOS_MAX_UPLOAD_BYTES,
        sourceDateEpoch: env.SOURCE_DATE_EPOCH,
        processLeaseSeconds: env.OPENAOS_PROCESS_LEASE_SECONDS,
        publicUrl: env.OPENAOS_PUBLIC_URL,
        monitoringRetention: {
          rawHours: env.OPENAOS_MONITORING_RAW_HOURS,
          rollupDays: env.OPENAOS_MONITORING_ROLLUP_DAYS,
          hourlyDays: env.OPENAOS_MONITORING_HOURLY_DAYS,
        },
        blobStorage: env.s3 && createS3BlobStorage(env.s3),
        passwordHashCost: env.OPENAOS_PASSWORD_HASH_COST,
      }),
    };
  }
  return global[KEY];
}
