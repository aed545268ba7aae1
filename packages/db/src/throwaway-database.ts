import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type DatabaseDriver, type DatabaseHandle } from './client.js';
import { DbError } from './errors.js';

/** The PostgreSQL server tests use unless TEST_DATABASE_URL says otherwise (CI starts it). */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://root@127.0.0.1:5432/test';

export interface ThrowawayDatabase extends DatabaseHandle {
  /** A temporary directory that `close()` removes (PGlite's files live in it for that driver). */
  dataDir: string;
}

/**
 * A migrated, empty database that disappears on `close()`: PGlite in a temporary directory,
 * or a fresh PostgreSQL database created next to `TEST_DATABASE_URL` and dropped afterwards.
 * For tests and benchmarks. Fails with a clear message when PostgreSQL is not reachable —
 * a test run must not silently skip the PostgreSQL half.
 */
export async function createThrowawayDatabase(
  driver: DatabaseDriver,
  options: { adminUrl?: string } = {},
): Promise<ThrowawayDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'openaos-db-'));
  if (driver === 'pglite') {
    const handle = await openDatabase({ dataDir });
    return {
      ...handle,
      dataDir,
      close: () => handle.close().finally(() => rm(dataDir, { recursive: true, force: true })),
    };
  }
  const adminUrl = options.adminUrl ?? process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  const name = `openaos_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw new DbError(
      'connect-failed',
      `creating a throwaway PostgreSQL database: cannot connect to ${adminUrl} (${error instanceof Error ? error.message : String(error)}). ` +
        'Start PostgreSQL (pg_ctlcluster --skip-systemctl-redirect <version> main start) or set TEST_DATABASE_URL.',
      { cause: error },
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ databaseUrl: url.toString() });
  return {
    ...handle,
    dataDir,
    close: async () => {
      await handle.close();
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
