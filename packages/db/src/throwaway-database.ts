import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrationsFolder, openDatabase, type DatabaseDriver, type DatabaseHandle } from './client.js';
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
    await seedPgliteDataDir(dataDir);
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

/**
 * Tests only: give a fresh data directory the files of an empty, migrated PGlite database, copied
 * from a template built once per set of migrations (in the temp directory, shared by the test
 * processes of a run). A PGlite `initdb` plus the migrations costs 5–10 s of CPU and peaks near
 * 800 MiB; the copy costs about 0.5 s. The database opened on the copy is the one a first start
 * creates (the same migrations, nothing else in it); `openDatabase` still runs the migrations (none
 * left to apply). Does nothing when `<dataDir>/pglite` exists.
 */
export async function seedPgliteDataDir(dataDir: string): Promise<void> {
  const target = join(dataDir, 'pglite');
  if (existsSync(target)) return;
  const template = await pgliteTemplate();
  await cp(join(template, 'pglite'), target, { recursive: true });
}

let templateOfProcess: Promise<string> | undefined;

function pgliteTemplate(): Promise<string> {
  templateOfProcess ??= buildPgliteTemplate().catch((error: unknown) => {
    templateOfProcess = undefined;
    throw error;
  });
  return templateOfProcess;
}

/** The template for the current migrations: reused when complete, else built and moved into place. */
async function buildPgliteTemplate(): Promise<string> {
  // The PGlite build (its resolved path names its version) and the migrations make a template.
  const hash = createHash('sha256').update(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (const name of (await readdir(migrationsFolder, { recursive: true })).sort()) {
    if (!name.endsWith('.sql') && !name.endsWith('.json')) continue;
    hash.update(name).update(await readFile(join(migrationsFolder, name)));
  }
  const template = join(tmpdir(), `openaos-pglite-template-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(template, 'complete'))) return template;
  const building = await mkdtemp(join(tmpdir(), 'openaos-pglite-template-building-'));
  try {
    const handle = await openDatabase({ dataDir: building });
    await handle.close();
    await writeFile(join(building, 'complete'), '');
    // Another process may have finished first: its template is as good as ours.
    await rename(building, template).catch((error: NodeJS.ErrnoException) => {
      if (!existsSync(join(template, 'complete'))) throw error;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return template;
}
