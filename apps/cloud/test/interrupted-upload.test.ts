/**
 * A cloud killed (SIGKILL) while it builds the image of an upload must not leave the version in
 * `processing` forever: the real server process is killed during the build of a large package,
 * started again on the same data, and must have marked the version failed with a reason, kept no
 * blob of it, and accept the same version again. Needs `pnpm build` first.
 */
import { openAsBlob } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createContextForActor, startCloudCore, type Role } from '@openaos/api';
import { TEST_PASSWORD_HASH_COST } from '@openaos/api/testing';
import { createThrowawayDatabase, schema, seedPgliteDataDir, type ThrowawayDatabase } from '@openaos/db';
import { readPkcs12, type Credential } from '@openaos/pki';
import { CLOUD_HTTP_PATHS, createCertificateToken, formatCertificateAuthorization } from '@openaos/protocol';
import { buildServicePackage } from '@openaos/service-package';
import { startCloudProcess, type CloudProcess } from './cloud-process.js';

const ADMIN_PASSWORD = 'admin password for tests';
// Random bytes do not compress: the package, its verification, the image build and the copy into
// the blob store all handle this much, so each phase lasts long enough (seconds) to be killed in.
const PAYLOAD_BYTES = 64 * 1024 * 1024;

interface Account {
  credential: Credential;
  serviceId: string;
}

/** An SP organisation, user, credential and service, made in-process before the server starts. */
async function prepareAccount(dataDir: string, databaseUrl: string | undefined): Promise<Account> {
  if (!databaseUrl) await seedPgliteDataDir(dataDir);
  const core = await startCloudCore({
    dataDir,
    databaseUrl,
    adminPassword: ADMIN_PASSWORD,
    passwordHashCost: TEST_PASSWORD_HASH_COST,
  });
  try {
    // Calls made in-process as these users (nothing to authenticate here; the server does that).
    const adminRow = (await core.deps.db.select().from(schema.users)).find((user) => user.email === 'admin');
    if (!adminRow) throw new Error('the first start should have created the admin');
    const asActor = (user: { id: string; email: string; name: string; role: Role; organisationId: string | null }) =>
      createCaller(
        createContextForActor(core.deps, {
          userId: user.id,
          email: user.email,
          name: user.name,
          role: user.role,
          organisationId: user.organisationId,
          organisationName: null,
          via: 'session',
        }),
      );
    const organisation = await asActor(adminRow).organisations.create({ name: 'Big Services', kind: 'sp' });
    const { user } = await asActor(adminRow).users.create({
      email: 'big@sp.example',
      name: 'Big',
      role: 'sp',
      organisationId: organisation.id,
      password: 'a long sp password',
    });
    const issued = await asActor(user).credentials.issue();
    const service = await asActor(user).services.create({ title: 'big' });
    return { credential: readPkcs12(Buffer.from(issued.pkcs12Base64, 'base64')), serviceId: service.id };
  } finally {
    await core.close();
  }
}

async function makeLargePackage(work: string, account: Account, version: string): Promise<string> {
  const serviceDir = join(work, `service-${version}`);
  await mkdir(join(serviceDir, 'meta'), { recursive: true });
  await mkdir(join(serviceDir, 'src', 'app'), { recursive: true });
  await writeFile(
    join(serviceDir, 'meta', 'config.yaml'),
    `publisher: {author: OpenAos tests, company: OpenAos}
build: {os: linux, arch: x86_64, sign_pkcs12: aos-user-sp.p12, symlinks: copy}
publish: {url: localhost, service_uid: ${account.serviceId}, tls_pkcs12: aos-user-sp.p12, version: "${version}"}
configuration: {cmd: /bin/sh /app/hello.sh, workingDir: /app, instances: {minInstances: 1}, quotas: {cpu: 20, mem: 32MB}}
`,
  );
  await writeFile(join(serviceDir, 'src', 'app', 'hello.sh'), '#!/bin/sh\nsleep 3600\n', { mode: 0o755 });
  await writeFile(join(serviceDir, 'src', 'app', 'payload.bin'), randomBytes(PAYLOAD_BYTES));
  const built = await buildServicePackage({
    serviceDir,
    credential: account.credential,
    outputPath: join(work, `service-${version}.tar.gz`),
  });
  await rm(serviceDir, { recursive: true, force: true });
  return built.path;
}

/** POST the package as `aos upload` does; resolves with the answer, or the error when the server died. */
async function upload(
  cloud: CloudProcess,
  account: Account,
  version: string,
  packagePath: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  form.set('service', account.serviceId);
  form.set('version', version);
  form.set('file', await openAsBlob(packagePath), 'service.tar.gz');
  const path = CLOUD_HTTP_PATHS.upload;
  const response = await fetch(`${cloud.url}${path}`, {
    method: 'POST',
    body: form,
    headers: {
      authorization: formatCertificateAuthorization(
        createCertificateToken(account.credential, { method: 'POST', path }),
      ),
    },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface VersionRow {
  version: string;
  state: string;
  failureReason: string | null;
}

async function listVersions(cloud: CloudProcess, account: Account): Promise<VersionRow[]> {
  const path = `${CLOUD_HTTP_PATHS.trpc}/versions.list`;
  const input = encodeURIComponent(JSON.stringify({ serviceId: account.serviceId }));
  const response = await fetch(`${cloud.url}${path}?input=${input}`, {
    headers: {
      authorization: formatCertificateAuthorization(
        createCertificateToken(account.credential, { method: 'GET', path }),
      ),
    },
  });
  const body = (await response.json()) as { result?: { data: VersionRow[] }; error?: unknown };
  if (!body.result) throw new Error(`versions.list failed: ${JSON.stringify(body.error)}`);
  return body.result.data;
}

/** Files under a directory, relative, recursively (nothing when it does not exist). */
async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Poll until `isReached` holds (the upload is still running meanwhile); fail if the upload ended first. */
async function waitFor(what: string, isReached: () => Promise<boolean>, uploadEnded: () => boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await isReached())) {
    if (uploadEnded()) throw new Error(`the upload ended before ${what}`);
    if (Date.now() > deadline) throw new Error(`waited 120 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Upload to a running cloud, kill it (SIGKILL) when `killPoint` holds, and start it again on the
 * same data; returns the new process.
 */
async function killDuringUpload(
  running: CloudProcess,
  start: () => Promise<CloudProcess>,
  account: Account,
  packagePath: string,
  killPoint: () => Promise<boolean>,
): Promise<CloudProcess> {
  let hasEnded = false;
  const uploading = upload(running, account, '1.0.0', packagePath).finally(() => (hasEnded = true));
  uploading.catch(() => undefined);
  await waitFor('the kill point', killPoint, () => hasEnded);
  await running.kill();
  await expect(uploading).rejects.toThrow();
  return start();
}

describe.each(['pglite', 'postgres'] as const)('a cloud killed during an upload, on %s', (driver) => {
  let work: string;
  let dataDir: string;
  let database: ThrowawayDatabase | undefined;
  let account: Account;
  let packagePath: string;
  let cloud: CloudProcess | undefined;
  const env: Record<string, string> = {};

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'openaos-interrupted-'));
    dataDir = join(work, 'data');
    env.OPENAOS_ADMIN_PASSWORD = ADMIN_PASSWORD;
    if (driver === 'postgres') {
      database = await createThrowawayDatabase('postgres');
      env.DATABASE_URL = database.location;
      // Another process could be building: the restarted one waits for the dead one's lease to lapse.
      env.OPENAOS_PROCESS_LEASE_SECONDS = '4';
    }
  });

  /** The account and the large package: heavy work (a CA, tens of MiB signed), so inside the test's time. */
  const prepare = async () => {
    account = await prepareAccount(dataDir, env.DATABASE_URL);
    packagePath = await makeLargePackage(work, account, '1.0.0');
  };

  afterAll(async () => {
    await cloud?.kill();
    await database?.close();
    await rm(work, { recursive: true, force: true });
  });

  const start = () => startCloudProcess({ dataDir, env });
  const blobFiles = () => listFiles(join(dataDir, 'blobs'));
  const tempFiles = () => listFiles(join(dataDir, 'tmp'));

  /** The restarted cloud marks the version failed with a reason (at once, or when the claim lapses). */
  const expectFailedAndClean = async (restarted: CloudProcess) => {
    // With PostgreSQL the dead process is recognised when its lease lapses, then cleaned up.
    const deadline = Date.now() + 60_000;
    let versions = await listVersions(restarted, account);
    const isSettled = async () =>
      versions.every((row) => row.state !== 'processing') &&
      (await blobFiles()).length === 0 &&
      (await tempFiles()).length === 0;
    while (!(await isSettled()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      versions = await listVersions(restarted, account);
    }
    expect(versions).toEqual([
      { ...versions[0], version: '1.0.0', state: 'failed', failureReason: expect.stringMatching(/stopped while/) },
    ]);
    expect(await blobFiles()).toEqual([]);
    expect(await tempFiles()).toEqual([]);
  };

  it(
    'fails a version whose build was cut off, keeps nothing of it, and takes it again',
    { timeout: 900_000 },
    async () => {
      await prepare();
      cloud = await start();
      // 1. Killed while the image is being built: its private directory tmp/<process>/build-*/ exists.
      const isBuilding = async () =>
        (await readdir(join(dataDir, 'tmp'), { recursive: true }).catch(() => [])).some((path) =>
          /(^|\/)build-[^/]+$/.test(path),
        );
      cloud = await killDuringUpload(cloud, start, account, packagePath, isBuilding);
      await expectFailedAndClean(cloud);

      // 2. Killed while the built blobs are being copied into the blob store.
      const isCopying = async () => (await blobFiles()).length > 0;
      cloud = await killDuringUpload(cloud, start, account, packagePath, isCopying);
      await expectFailedAndClean(cloud);

      // 3. The same version uploads again and becomes ready.
      const again = await upload(cloud, account, '1.0.0', packagePath);
      expect(again).toMatchObject({ status: 201, body: { version: '1.0.0', state: 'ready' } });
      expect((await listVersions(cloud, account)).map((row) => [row.version, row.state])).toEqual([['1.0.0', 'ready']]);
    },
  );
});
