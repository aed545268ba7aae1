/**
 * The unit gateway in the real server (dist/server.js, after `pnpm build`): mounted on the one
 * port next to Next, and — the point of this file — two cloud processes on one PostgreSQL
 * database: a unit provisioned through process A and connected to process B gets the desired
 * status that a change made through A causes (PostgreSQL LISTEN/NOTIFY), downloads its blobs, and
 * is disconnected by B when A deletes it.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createContextForActor, startCloudCore, uploadServiceVersion, type Actor } from '@openaos/api';
import {
  connectTestUnit,
  fetchUnitBlob,
  hashProvisioningToken,
  openSocket,
  UpgradeRefusedError,
  makeServicePackage,
  provisionTestUnit,
  waitFor,
  type TestUnitIdentity,
  TEST_PASSWORD_HASH_COST,
} from '@openaos/api/testing';
import { createThrowawayDatabase, schema, seedPgliteDataDir, type ThrowawayDatabase } from '@openaos/db';
import type { Credential } from '@openaos/pki';
import { CLOUD_HTTP_PATHS, createCertificateToken, formatCertificateAuthorization } from '@openaos/protocol';
import { verifyDesiredStatus } from '@openaos/protocol/v7';
import { CLOUD_START_TIMEOUT_MS, startCloudProcess, type CloudProcess } from './cloud-process.js';
import { credentialOf } from './console-fixture.js';

const ADMIN_PASSWORD = 'admin password for tests';
const TOKEN = 'a-provisioning-token-for-the-two-process-test';
const SECOND_TOKEN = 'a-provisioning-token-for-the-unit-whose-process-dies';

interface Prepared {
  oemCredential: Credential;
  serviceId: string;
  versionId: string;
  subjectId: string;
  unitId: string;
  secondUnitId: string;
}

/** Accounts, a service with a ready version, a subject and a unit with a token, made in-process. */
async function prepare(dataDir: string, databaseUrl: string): Promise<Prepared> {
  if (!databaseUrl) await seedPgliteDataDir(dataDir);
  const core = await startCloudCore({
    dataDir,
    databaseUrl,
    adminPassword: ADMIN_PASSWORD,
    passwordHashCost: TEST_PASSWORD_HASH_COST,
  });
  try {
    const adminRow = (await core.deps.db.select().from(schema.users)).find((user) => user.email === 'admin');
    if (!adminRow) throw new Error('the first start should have created the admin');
    const as = (actor: Omit<Actor, 'organisationName' | 'via'>) =>
      createCaller(createContextForActor(core.deps, { ...actor, organisationName: null, via: 'session' }));
    const asUser = (user: {
      id: string;
      email: string;
      name: string;
      role: Actor['role'];
      organisationId: string | null;
    }) =>
      as({ userId: user.id, email: user.email, name: user.name, role: user.role, organisationId: user.organisationId });
    const admin = asUser(adminRow);
    const oemOrganisation = await admin.organisations.create({ name: 'Maker', kind: 'oem' });
    const spOrganisation = await admin.organisations.create({ name: 'Provider', kind: 'sp' });
    const oemUser = (
      await admin.users.create({
        email: 'o@maker.example',
        name: 'O',
        role: 'oem',
        organisationId: oemOrganisation.id,
        password: 'a long oem password',
      })
    ).user;
    const spUser = (
      await admin.users.create({
        email: 'p@provider.example',
        name: 'P',
        role: 'sp',
        organisationId: spOrganisation.id,
        password: 'a long sp password',
      })
    ).user;
    const oem = asUser(oemUser);
    const sp = asUser(spUser);
    const oemCredential = await credentialOf(oem);
    const spCredential = await credentialOf(sp);
    const serviceId = (await sp.services.create({ title: 'hello' })).id;
    const packagePath = await makeServicePackage(spCredential, serviceId, '1.0.0');
    const spActor: Actor = {
      userId: spUser.id,
      email: spUser.email,
      name: spUser.name,
      role: 'sp',
      organisationId: spUser.organisationId,
      organisationName: null,
      via: 'session',
    };
    const uploaded = await uploadServiceVersion(core.deps, spActor, {
      serviceId,
      version: '1.0.0',
      packagePath,
      packageSize: (await stat(packagePath)).size,
    });
    if (uploaded.state !== 'ready') throw new Error(`the upload failed: ${uploaded.failureReason}`);
    const subjectId = (await oem.subjects.create({ name: 'cabin' })).id;
    const unitId = (await oem.units.create({ systemId: 'unit-two-processes', model: 'm' })).id;
    const secondUnitId = (await oem.units.create({ systemId: 'unit-of-a-dying-process', model: 'm' })).id;
    await core.deps.db.insert(schema.provisioningTokens).values([
      { tokenHash: hashProvisioningToken(TOKEN), unitId, expiresAt: new Date(Date.now() + 3600_000) },
      {
        tokenHash: hashProvisioningToken(SECOND_TOKEN),
        unitId: secondUnitId,
        expiresAt: new Date(Date.now() + 3600_000),
      },
    ]);
    return { oemCredential, serviceId, versionId: uploaded.id, subjectId, unitId, secondUnitId };
  } finally {
    await core.close();
  }
}

/** A tRPC mutation as the CLI sends it (AosCert for this procedure's path). */
async function mutate(cloud: CloudProcess, credential: Credential, procedure: string, input: unknown): Promise<void> {
  const path = `${CLOUD_HTTP_PATHS.trpc}/${procedure}`;
  const response = await fetch(`${cloud.url}${path}`, {
    method: 'POST',
    body: JSON.stringify(input),
    headers: {
      'content-type': 'application/json',
      authorization: formatCertificateAuthorization(createCertificateToken(credential, { method: 'POST', path })),
    },
  });
  if (!response.ok) throw new Error(`${procedure} failed (${response.status}): ${await response.text()}`);
}

describe('the unit gateway in two cloud processes on one PostgreSQL', () => {
  let database: ThrowawayDatabase;
  let dataDir: string;
  let prepared: Prepared;
  let processA: CloudProcess;
  let processB: CloudProcess;
  let identity: TestUnitIdentity;

  beforeAll(async () => {
    database = await createThrowawayDatabase('postgres');
    dataDir = await mkdtemp(join(tmpdir(), 'openaos-gateway-'));
    prepared = await prepare(dataDir, database.location);
    // A short lease: a killed process is found dead within seconds (then at the next gateway tick).
    const env = {
      DATABASE_URL: database.location,
      OPENAOS_ADMIN_PASSWORD: ADMIN_PASSWORD,
      OPENAOS_PROCESS_LEASE_SECONDS: '3',
    };
    [processA, processB] = await Promise.all([
      startCloudProcess({ dataDir, env }),
      startCloudProcess({ dataDir, env }),
    ]);
  }, CLOUD_START_TIMEOUT_MS);
  afterAll(async () => {
    await processA?.stop();
    await processB?.stop();
    await database?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers an unknown WebSocket path with a JSON refusal', async () => {
    const refused = await openSocket(
      `${processA.url.replace('http', 'ws')}/ws/v7/nothing`,
      {},
      (socket) => socket,
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(UpgradeRefusedError);
    expect([(refused as UpgradeRefusedError).status, (refused as UpgradeRefusedError).body.code]).toEqual([
      404,
      'not-found',
    ]);
  });

  it('a change made through process A reaches the unit whose socket process B holds', async () => {
    identity = await provisionTestUnit({ cloudUrl: processA.url, systemId: 'unit-two-processes', token: TOKEN });
    const unit = await connectTestUnit({ cloudUrl: processB.url, identity });
    const first = await unit.waitForDesiredStatus();
    expect(first.items).toEqual([]);
    await mutate(processA, prepared.oemCredential, 'subjects.bind', {
      id: prepared.subjectId,
      serviceIds: [prepared.serviceId],
      unitIds: [prepared.unitId],
    });
    await mutate(processA, prepared.oemCredential, 'versions.approve', { id: prepared.versionId });
    const second = await unit.waitForDesiredStatus((status) => Array.isArray(status.items) && status.items.length > 0);
    const caPem = await readFile(join(dataDir, 'ca', 'ca.crt.pem'), 'utf8');
    const verified = verifyDesiredStatus(second, { systemId: 'unit-two-processes', trustedCa: caPem });
    expect(verified).toMatchObject({ ok: true, generation: 2 });
    const indexDigest = (second.items as { indexDigest: string }[])[0]!.indexDigest;
    const answer = await unit.channel.request({ messageType: 'requestBlobUrls', digests: [indexDigest] });
    expect(answer.items[0]?.urls[0]).toBe(`${processB.url}/api/v7/blobs/sha256/${indexDigest.slice(7)}`);
    // Any process serves the blob: both see the same desired status in the database.
    expect((await fetchUnitBlob(processA.url, identity, indexDigest)).status).toBe(200);
    const row = (await database.db.select().from(schema.units)).find((unitRow) => unitRow.id === prepared.unitId);
    expect(row?.connection).toBe('online');
    // Deleting the unit through A closes its socket on B.
    await mutate(processA, prepared.oemCredential, 'subjects.unbind', {
      id: prepared.subjectId,
      unitIds: [prepared.unitId],
    });
    await mutate(processA, prepared.oemCredential, 'units.remove', { id: prepared.unitId });
    expect((await unit.channel.closed).reason).toBe('unit deleted');
    await waitFor(
      async () => (await database.db.select().from(schema.units)).every((unitRow) => unitRow.id !== prepared.unitId),
      'the unit gone',
    );
  });

  it('shows a unit offline when the process holding its socket dies, and resyncs it through another', async () => {
    const second = await provisionTestUnit({
      cloudUrl: processA.url,
      systemId: 'unit-of-a-dying-process',
      token: SECOND_TOKEN,
    });
    const unit = await connectTestUnit({ cloudUrl: processB.url, identity: second });
    const before = await unit.waitForDesiredStatus();
    const unitRow = async () =>
      (await database.db.select().from(schema.units)).find((row) => row.id === prepared.secondUnitId);
    await waitFor(async () => (await unitRow())?.connection === 'online', 'the unit online through B');
    await processB.kill();
    await unit.channel.closed;
    // Process A notices B's lapsed heartbeat at its next gateway tick (every 20 s).
    const offline = await waitFor(
      async () => {
        const row = await unitRow();
        return row?.connection === 'offline' ? row : undefined;
      },
      'the unit shown offline after its process died',
      120_000,
    );
    expect(offline.lastSeenAt).toBeInstanceOf(Date);
    const again = await connectTestUnit({ cloudUrl: processA.url, identity: second });
    const resent = await again.waitForDesiredStatus();
    // The same status again (every connect gets it), not a new generation.
    expect(resent.signature).toBe(before.signature);
    await again.close();
  }, 180_000);
});
