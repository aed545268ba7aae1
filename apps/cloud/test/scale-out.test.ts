/**
 * Scale-out: two built cloud processes (dist/server.js, after `pnpm build`), each with its own data
 * directory (only the CA copied between them), over one PostgreSQL database and one S3 bucket (a
 * real S3-protocol server, s3rver, started here). A package uploaded through either process is
 * stored in the bucket; a change made through one reaches a unit whose socket the other holds, and
 * the unit downloads its blobs, whole and by range, from the process it is connected to.
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3BlobStorage } from '@openaos/api';
import {
  connectTestUnit,
  fetchUnitBlob,
  hashProvisioningToken,
  makeServicePackage,
  provisionTestUnit,
  startTestS3Server,
  type TestS3Server,
  type TestUnit,
  type TestUnitIdentity,
} from '@openaos/api/testing';
import { createThrowawayDatabase, schema, type ThrowawayDatabase } from '@openaos/db';
import type { Credential } from '@openaos/pki';
import { CLOUD_HTTP_PATHS, createCertificateToken, formatCertificateAuthorization } from '@openaos/protocol';
import { verifyDesiredStatus } from '@openaos/protocol/v7';
import { CLOUD_START_TIMEOUT_MS, startCloudProcess, type CloudProcess } from './cloud-process.js';
import { ADMIN_PASSWORD, credentialOf, seedCloud } from './console-fixture.js';

const TOKEN = 'a-provisioning-token-for-the-scale-out-test';
const SYSTEM_ID = 'unit-scale-out';

interface Prepared {
  oemCredential: Credential;
  spCredential: Credential;
  serviceId: string;
  subjectId: string;
  unitId: string;
}

/** Accounts, a service, a subject and a unit with a token, made in-process through the routers. */
function prepare(dataDir: string, databaseUrl: string, s3: TestS3Server): Promise<Prepared> {
  return seedCloud(
    { dataDir, databaseUrl, blobStorage: createS3BlobStorage(s3.config) },
    async ({ deps, as, addUser }) => {
      const makeUser = async (kind: 'oem' | 'sp', email: string) =>
        as(await addUser(kind, `Org ${kind}`, email, `a long ${kind} password`, kind));
      const oem = await makeUser('oem', 'o@maker.example');
      const sp = await makeUser('sp', 'p@provider.example');
      const serviceId = (await sp.services.create({ title: 'hello' })).id;
      const subjectId = (await oem.subjects.create({ name: 'cabin' })).id;
      const unitId = (await oem.units.create({ systemId: SYSTEM_ID, model: 'm' })).id;
      await deps.db
        .insert(schema.provisioningTokens)
        .values({ tokenHash: hashProvisioningToken(TOKEN), unitId, expiresAt: new Date(Date.now() + 3600_000) });
      return {
        oemCredential: await credentialOf(oem),
        spCredential: await credentialOf(sp),
        serviceId,
        subjectId,
        unitId,
      };
    },
  );
}

const authorization = (credential: Credential, method: string, path: string) =>
  formatCertificateAuthorization(createCertificateToken(credential, { method, path }));

/** A tRPC mutation as the CLI sends it (AosCert for this procedure's path). */
async function mutate(cloud: CloudProcess, credential: Credential, procedure: string, input: unknown): Promise<void> {
  const path = `${CLOUD_HTTP_PATHS.trpc}/${procedure}`;
  const response = await fetch(`${cloud.url}${path}`, {
    method: 'POST',
    body: JSON.stringify(input),
    headers: { 'content-type': 'application/json', authorization: authorization(credential, 'POST', path) },
  });
  if (!response.ok) throw new Error(`${procedure} failed (${response.status}): ${await response.text()}`);
}

/** `aos upload`'s request: the signed package to the upload endpoint; resolves with the version's id once ready. */
async function upload(cloud: CloudProcess, prepared: Prepared, version: string): Promise<string> {
  const packagePath = await makeServicePackage(prepared.spCredential, prepared.serviceId, version);
  const form = new FormData();
  form.set('service', prepared.serviceId);
  form.set('version', version);
  form.set('file', new Blob([await readFile(packagePath)]), 'service.tar.gz');
  const response = await fetch(`${cloud.url}${CLOUD_HTTP_PATHS.upload}`, {
    method: 'POST',
    body: form,
    headers: { authorization: authorization(prepared.spCredential, 'POST', CLOUD_HTTP_PATHS.upload) },
  });
  const body = (await response.json()) as { id: string; state: string; failureReason?: string };
  if (response.status !== 201 || body.state !== 'ready') {
    throw new Error(`uploading ${version}: ${response.status} ${JSON.stringify(body)}`);
  }
  return body.id;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('two cloud processes over one PostgreSQL and one S3 bucket', () => {
  let database: ThrowawayDatabase;
  let s3: TestS3Server;
  let dataDirA: string;
  let dataDirB: string;
  let prepared: Prepared;
  let processA: CloudProcess;
  let processB: CloudProcess;
  let unit: TestUnit | undefined;
  let identity: TestUnitIdentity;

  beforeAll(async () => {
    [database, s3] = await Promise.all([createThrowawayDatabase('postgres'), startTestS3Server()]);
    dataDirA = await mkdtemp(join(tmpdir(), 'openaos-scale-a-'));
    dataDirB = await mkdtemp(join(tmpdir(), 'openaos-scale-b-'));
    prepared = await prepare(dataDirA, database.location, s3);
    // The one thing the replicas share besides the database and the bucket: the CA.
    await cp(join(dataDirA, 'ca'), join(dataDirB, 'ca'), { recursive: true });
    const env = { DATABASE_URL: database.location, OPENAOS_ADMIN_PASSWORD: ADMIN_PASSWORD, ...s3.env };
    [processA, processB] = await Promise.all([
      startCloudProcess({ dataDir: dataDirA, env }),
      startCloudProcess({ dataDir: dataDirB, env }),
    ]);
  }, CLOUD_START_TIMEOUT_MS);
  afterAll(async () => {
    await unit?.close().catch(() => undefined);
    await processA?.stop();
    await processB?.stop();
    await database?.close();
    await s3?.close();
    for (const directory of [dataDirA, dataDirB]) if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('stores an upload through A in the bucket and updates the unit on B; B serves the blobs from the bucket', async () => {
    identity = await provisionTestUnit({ cloudUrl: processA.url, systemId: SYSTEM_ID, token: TOKEN });
    unit = await connectTestUnit({ cloudUrl: processB.url, identity });
    expect((await unit.waitForDesiredStatus()).items).toEqual([]);

    const versionId = await upload(processA, prepared, '1.0.0');
    await mutate(processA, prepared.oemCredential, 'subjects.bind', {
      id: prepared.subjectId,
      serviceIds: [prepared.serviceId],
      unitIds: [prepared.unitId],
    });
    await mutate(processA, prepared.oemCredential, 'versions.approve', { id: versionId });
    const desired = await unit.waitForDesiredStatus(
      (status) => Array.isArray(status.items) && (status.items as { version: string }[])[0]?.version === '1.0.0',
    );
    const caPem = await readFile(join(dataDirB, 'ca', 'ca.crt.pem'), 'utf8');
    expect(verifyDesiredStatus(desired, { systemId: SYSTEM_ID, trustedCa: caPem })).toMatchObject({ ok: true });

    // Every blob is in the bucket, none on either process's disk.
    const inBucket: string[] = [];
    for await (const digest of createS3BlobStorage(s3.config).list()) inBucket.push(digest);
    const indexDigest = (desired.items as { indexDigest: string }[])[0]!.indexDigest;
    expect(inBucket).toContain(indexDigest);
    expect(existsSync(join(dataDirA, 'blobs'))).toBe(false);
    expect(existsSync(join(dataDirB, 'blobs'))).toBe(false);

    // The unit follows the index to the layer, all from B (which never stored any of them).
    const index = Buffer.from(await (await fetchUnitBlob(processB.url, identity, indexDigest)).arrayBuffer());
    expect(sha256(index)).toBe(indexDigest);
    const manifestDigest = (JSON.parse(index.toString()) as { manifests: { digest: string }[] }).manifests[0]!.digest;
    const manifestResponse = await fetchUnitBlob(processB.url, identity, manifestDigest);
    const manifest = JSON.parse(await manifestResponse.text()) as { layers: { digest: string; size: number }[] };
    const layer = manifest.layers[0]!;
    expect(inBucket).toContain(layer.digest);
    const whole = Buffer.from(await (await fetchUnitBlob(processB.url, identity, layer.digest)).arrayBuffer());
    expect(sha256(whole)).toBe(layer.digest);
    // A resumed download: the rest of the layer from byte 100.
    const rest = await fetchUnitBlob(processB.url, identity, layer.digest, { range: 'bytes=100-' });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes 100-${layer.size - 1}/${layer.size}`);
    expect(Buffer.from(await rest.arrayBuffer()).equals(whole.subarray(100))).toBe(true);
  });

  it('takes the next upload through B and brings it to the unit the same way', async () => {
    const versionId = await upload(processB, prepared, '1.1.0');
    await mutate(processA, prepared.oemCredential, 'versions.approve', { id: versionId });
    const desired = await unit!.waitForDesiredStatus(
      (status) => Array.isArray(status.items) && (status.items as { version: string }[])[0]?.version === '1.1.0',
    );
    const indexDigest = (desired.items as { indexDigest: string }[])[0]!.indexDigest;
    // Either process serves it: A, which did not store it, reads it from the bucket.
    const index = Buffer.from(await (await fetchUnitBlob(processA.url, identity, indexDigest)).arrayBuffer());
    expect(sha256(index)).toBe(indexDigest);
    // Blobs are only for the unit whose desired status names them.
    expect((await fetch(`${processA.url}/api/v7/blobs/sha256/${indexDigest.slice(7)}`)).ok).toBe(false);
  });
});
