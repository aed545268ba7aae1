import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openDatabase, type DatabaseHandle } from '@openaos/db';
import { loadOrCreateAuthority } from './authority.js';
import { createDiskBlobStorage } from './blob-storage.js';
import { DEFAULT_MAX_UPLOAD_BYTES, type CloudDependencies } from './dependencies.js';
import { bootstrapAdmin } from './domain/bootstrap.js';

export interface StartCloudOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  /** Password of the first admin (else a random one is generated and returned once). */
  adminPassword?: string | undefined;
  maxUploadBytes?: number | undefined;
  /** SOURCE_DATE_EPOCH: the created time of every image built (else each package's signing time). */
  sourceDateEpoch?: Date | undefined;
}

export interface CloudCore {
  deps: CloudDependencies;
  database: DatabaseHandle;
  /** Present on the very first start: the admin created and its password (print it once). */
  bootstrap: { email: string; password: string; generated: boolean } | null;
  close(): Promise<void>;
}

/**
 * Open everything the cloud needs in a data directory: the database (PGlite there, or
 * PostgreSQL), the blob store (`<dataDir>/blobs`), the CA (`<dataDir>/ca`, created on first
 * start) and the first admin. Leftover temp files of a crashed process are removed.
 */
export async function startCloudCore(options: StartCloudOptions): Promise<CloudCore> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await rm(join(dataDir, 'tmp'), { recursive: true, force: true });
  const database = await openDatabase({ dataDir, databaseUrl: options.databaseUrl });
  try {
    const authority = await loadOrCreateAuthority(dataDir);
    const blobs = createDiskBlobStorage(join(dataDir, 'blobs'));
    const deps: CloudDependencies = {
      db: database.db,
      blobs,
      authority,
      dataDir,
      maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      now: () => new Date(),
      sourceDateEpoch: options.sourceDateEpoch,
    };
    const result = await bootstrapAdmin(database.db, options.adminPassword ? { password: options.adminPassword } : {});
    return {
      deps,
      database,
      bootstrap: result.created
        ? { email: result.email, password: result.password, generated: result.generated }
        : null,
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
