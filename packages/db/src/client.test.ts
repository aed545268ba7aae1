import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './client.js';
import { DbError } from './errors.js';
import * as schema from './schema.js';
import { createThrowawayDatabase, seedPgliteDataDir, type ThrowawayDatabase } from './throwaway-database.js';

describe.each(['pglite', 'postgres'] as const)('database on %s', (driver) => {
  let handle: ThrowawayDatabase;
  beforeAll(async () => {
    handle = await createThrowawayDatabase(driver);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('runs the committed migrations and round-trips rows', async () => {
    expect(handle.driver).toBe(driver);
    const [org] = await handle.db.insert(schema.organisations).values({ name: 'Acme SP', kind: 'sp' }).returning();
    expect(org?.id).toMatch(/^[0-9a-f-]{36}$/);
    const [service] = await handle.db
      .insert(schema.services)
      .values({ organisationId: org!.id, title: 'hello', defaultQuotas: { memoryLimit: 1024 } })
      .returning();
    const rows = await handle.db.select().from(schema.services).where(eq(schema.services.id, service!.id));
    expect(rows[0]?.defaultQuotas).toEqual({ memoryLimit: 1024 });
  });

  it('refuses to delete what others depend on (restrict) and cascades memberships', async () => {
    const [org] = await handle.db.insert(schema.organisations).values({ name: 'Acme OEM', kind: 'oem' }).returning();
    const [unit] = await handle.db
      .insert(schema.units)
      .values({ organisationId: org!.id, systemId: 'unit-1', model: 'm' })
      .returning();
    const [subject] = await handle.db
      .insert(schema.subjects)
      .values({ organisationId: org!.id, name: 's' })
      .returning();
    await handle.db.insert(schema.subjectUnits).values({ subjectId: subject!.id, unitId: unit!.id });
    await expect(handle.db.delete(schema.units).where(eq(schema.units.id, unit!.id))).rejects.toThrow();
    await handle.db.delete(schema.subjects).where(eq(schema.subjects.id, subject!.id));
    expect(await handle.db.select().from(schema.subjectUnits)).toHaveLength(0);
    await handle.db.delete(schema.units).where(eq(schema.units.id, unit!.id));
  });
});

describe('openDatabase', () => {
  it('keeps PGlite data in <dataDir>/pglite across restarts without re-running migrations', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'openaos-db-reopen-'));
    try {
      await seedPgliteDataDir(dataDir); // an empty migrated database, without an initdb of its own
      const first = await openDatabase({ dataDir });
      await first.db.insert(schema.organisations).values({ name: 'Kept', kind: 'oem' });
      await first.close();
      const second = await openDatabase({ dataDir });
      expect(second.location).toBe(join(dataDir, 'pglite'));
      expect((await second.db.select().from(schema.organisations)).map((o) => o.name)).toEqual(['Kept']);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('says what to do when PostgreSQL is unreachable', async () => {
    const error = await openDatabase({ databaseUrl: 'postgres://root@127.0.0.1:1/none' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DbError);
    expect((error as DbError).code).toBe('connect-failed');
    expect((error as DbError).message).toMatch(/127\.0\.0\.1:1.*DATABASE_URL/);
  });

  it('needs a data directory or a URL', async () => {
    await expect(openDatabase({})).rejects.toMatchObject({ code: 'bad-options' });
  });
});
