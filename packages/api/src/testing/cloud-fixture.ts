import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createThrowawayDatabase, type DatabaseDriver, type ThrowawayDatabase } from '@openaos/db';
import type { Actor } from '../actor.js';
import { loadOrCreateAuthority } from '../authority.js';
import { createDiskBlobStorage } from '../blob-storage.js';
import type { CloudDependencies } from '../dependencies.js';
import { createLocalUnitEvents } from '../unit-events/unit-events.js';
import { bootstrapAdmin } from '../domain/bootstrap.js';
import { DEFAULT_PROCESS_LEASE_SECONDS, registerCloudProcess } from '../domain/cloud-processes.js';
import { setPasswordHashCost } from '../domain/passwords.js';
import { resolveSession, signIn } from '../domain/sessions.js';
import { createContextForActor } from '../trpc/context.js';
import { createCaller } from '../trpc/root.js';

/**
 * The scrypt cost (log2 N) of the passwords tests make: 1 MiB and ~1/32 of the product's CPU per
 * hash. Hashing was a few minutes of CPU across the suite at the default 15; what the tests check
 * (a hash verifies at its own parameters, throttling, sessions) does not depend on it.
 * vitest.config.ts gives the cloud processes tests start the same through OPENAOS_PASSWORD_HASH_COST.
 */
export const TEST_PASSWORD_HASH_COST = 10;

export interface CloudFixture {
  deps: CloudDependencies & { blobs: ReturnType<typeof createDiskBlobStorage> };
  database: ThrowawayDatabase;
  dataDir: string;
  admin: Actor;
  adminPassword: string;
  caller(actor: Actor | null): ReturnType<typeof createCaller>;
  /** Create an organisation of the kind and a user in it with the role; returns the actor. */
  addUser(kind: 'oem' | 'sp', organisationName: string, email: string): Promise<Actor>;
  close(): Promise<void>;
}

/**
 * A real cloud core (database on the driver, CA, blob store in a temp dir, a registered process)
 * with a bootstrapped admin. No maintenance timer runs: tests call the sweep themselves.
 */
export async function createCloudFixture(
  driver: DatabaseDriver,
  options: { maxUploadBytes?: number } = {},
): Promise<CloudFixture> {
  setPasswordHashCost(TEST_PASSWORD_HASH_COST);
  const database = await createThrowawayDatabase(driver);
  const dataDir = await mkdtemp(join(tmpdir(), 'openaos-cloud-'));
  const authority = await loadOrCreateAuthority(dataDir);
  const processId = await registerCloudProcess(database.db);
  const deps = {
    db: database.db,
    blobs: createDiskBlobStorage(join(dataDir, 'blobs')),
    authority,
    tempDirectory: join(dataDir, 'tmp', processId),
    process: { id: processId, leaseSeconds: DEFAULT_PROCESS_LEASE_SECONDS },
    maxUploadBytes: options.maxUploadBytes ?? 64 * 1024 * 1024,
    now: () => new Date(),
    unitEvents: createLocalUnitEvents(),
  };
  const bootstrap = await bootstrapAdmin(deps.db);
  if (!bootstrap.created) throw new Error('fixture: the admin should be created on an empty database');
  const session = await signIn(
    deps.db,
    { email: bootstrap.email, password: bootstrap.password },
    new Date(),
    'in-process',
  );
  const admin = (await resolveSession(deps.db, session.token, new Date()))!;
  const caller = (actor: Actor | null) => createCaller(createContextForActor(deps, actor));
  const organisations = new Map<string, string>();
  return {
    deps,
    database,
    dataDir,
    admin,
    adminPassword: bootstrap.password,
    caller,
    async addUser(kind, organisationName, email) {
      let organisationId = organisations.get(organisationName);
      if (!organisationId) {
        organisationId = (await caller(admin).organisations.create({ name: organisationName, kind })).id;
        organisations.set(organisationName, organisationId);
      }
      const password = 'correct horse battery staple';
      await caller(admin).users.create({ email, name: email, role: kind, organisationId, password });
      const signed = await signIn(deps.db, { email, password }, new Date(), 'in-process');
      return signed.actor;
    },
    async close() {
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
