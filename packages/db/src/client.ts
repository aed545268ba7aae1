import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { DbError } from './errors.js';
import * as schema from './schema.js';

export type Schema = typeof schema;

/**
 * The database (or a transaction on it) as the domain functions take it. Both drivers share
 * this type, so code never knows whether it runs on PGlite or PostgreSQL.
 */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseDriver = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Database;
  driver: DatabaseDriver;
  /** Where the data lives: the PGlite directory, or the PostgreSQL URL without its password. */
  location: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** The cloud's data directory; PGlite keeps its files in `<dataDir>/pglite`. */
  dataDir?: string;
  /** PostgreSQL connection string; when set, PostgreSQL is used instead of PGlite. */
  databaseUrl?: string;
  /** Run the committed migrations before returning (default true). */
  migrate?: boolean;
}

/** The committed migrations (`drizzle-kit generate` output); resolved from src/ and dist/ alike. */
export const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', 'drizzle');

/**
 * Open the cloud's database: PostgreSQL when `databaseUrl` is given, else embedded PGlite in
 * `<dataDir>/pglite`. Migrations run first unless `migrate: false`.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const handle = options.databaseUrl
    ? await openPostgres(options.databaseUrl)
    : await openPglite(requireDataDir(options.dataDir));
  if (options.migrate !== false) {
    try {
      await handle.migrate();
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw new DbError('migrate-failed', `running database migrations on ${handle.location}: ${describe(error)}`, {
        cause: error,
      });
    }
  }
  return { db: handle.db, driver: handle.driver, location: handle.location, close: handle.close };
}

function requireDataDir(dataDir: string | undefined): string {
  if (!dataDir) {
    throw new DbError(
      'bad-options',
      'opening the database: give a data directory (for PGlite) or a DATABASE_URL (for PostgreSQL)',
    );
  }
  return dataDir;
}

/**
 * PGlite's buffer cache. PostgreSQL's default (128 MB) grows the wasm memory to about 200 MiB in an
 * idle cloud; 16 MB keeps it near the module's fixed 128 MiB floor (the figures: bench/README.md).
 * Reads that miss it are served from the operating system's page cache, as with any PostgreSQL.
 */
export const PGLITE_SHARED_BUFFERS = '16MB';

/** PGlite's own start parameters plus ours. */
export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  '-c',
  `shared_buffers=${PGLITE_SHARED_BUFFERS}`,
];

async function openPglite(dataDir: string) {
  const directory = join(dataDir, 'pglite');
  const options = { startParams: [...PGLITE_START_PARAMS] };
  let client: PGlite;
  try {
    await mkdir(directory, { recursive: true });
    const isNew = !existsSync(join(directory, 'PG_VERSION'));
    client = new PGlite(directory, options);
    await client.waitReady;
    if (isNew) {
      // The instance that ran initdb keeps initdb's wasm memory (about 430 MiB) until it is closed:
      // open again, so a cloud's first start holds no more than every later one.
      await client.close();
      client = new PGlite(directory, options);
      await client.waitReady;
    }
  } catch (error) {
    throw new DbError('connect-failed', `opening the embedded database in ${directory}: ${describe(error)}`, {
      cause: error,
    });
  }
  const db = drizzlePglite({ client, schema });
  return {
    db: db as unknown as Database,
    driver: 'pglite' as const,
    location: directory,
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: () => client.close(),
  };
}

async function openPostgres(databaseUrl: string) {
  const location = redactUrl(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  try {
    const connection = await pool.connect();
    connection.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DbError(
      'connect-failed',
      `connecting to PostgreSQL at ${location}: ${describe(error)} — check that the server runs and DATABASE_URL is right`,
      { cause: error },
    );
  }
  const db = drizzlePostgres({ client: pool, schema });
  return {
    db: db as unknown as Database,
    driver: 'postgres' as const,
    location,
    migrate: () => migratePostgres(db, { migrationsFolder }),
    close: () => pool.end(),
  };
}

/** The URL without its password, for messages and logs. */
export function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<unparsable DATABASE_URL>';
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  return error instanceof Error ? error.message : String(error);
}
