import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { readPkcs12, type Credential } from '@openaos/pki';
import type { Actor } from './actor.js';
import type { BlobStorage } from './blob-storage.js';
import { sweepDeadProcesses } from './cloud-maintenance.js';
import { registerCloudProcess } from './domain/cloud-processes.js';
import { failInterruptedBuilds, INTERRUPTED_BUILD_REASON } from './domain/interrupted-builds.js';
import { uploadServiceVersion } from './domain/upload.js';
import { createCloudFixture, type CloudFixture } from './testing/cloud-fixture.js';
import { makeServicePackage } from './testing/service-packages.js';

describe.each(['pglite', 'postgres'] as const)('cleaning up after stopped cloud processes, on %s', (driver) => {
  let cloud: CloudFixture;
  let sp: Actor;
  let credential: Credential;
  let serviceId: string;
  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    sp = await cloud.addUser('sp', 'Provider', 'p@sp.example');
    credential = readPkcs12(Buffer.from((await cloud.caller(sp).credentials.issue()).pkcs12Base64, 'base64'));
    serviceId = (await cloud.caller(sp).services.create({ title: 'hello' })).id;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  const putBlob = async (text: string) => (await cloud.deps.blobs.put(Buffer.from(text))).digest;
  const addVersion = async (
    version: string,
    values: { state: 'processing' | 'ready'; owner: string | null; blobs: string[] },
  ) => {
    const [row] = await cloud.deps.db
      .insert(schema.serviceVersions)
      .values({ serviceId, version, state: values.state, processingOwner: values.owner, blobDigests: values.blobs })
      .returning();
    return row!.id;
  };
  const stateOf = async (id: string) => {
    const [row] = await cloud.deps.db.select().from(schema.serviceVersions).where(eq(schema.serviceVersions.id, id));
    return { state: row!.state, failureReason: row!.failureReason, blobDigests: row!.blobDigests };
  };
  const makeStale = (processId: string) =>
    cloud.deps.db
      .update(schema.cloudProcesses)
      .set({ heartbeatAt: sql`now() - interval '1 hour'` })
      .where(eq(schema.cloudProcesses.id, processId));

  it("fails a dead process's versions and frees their blobs, and leaves a live process's build alone", async () => {
    const live = await registerCloudProcess(cloud.deps.db);
    const dead = await registerCloudProcess(cloud.deps.db);
    await makeStale(dead);
    const tempRoot = dirname(cloud.deps.tempDirectory);
    for (const id of [live, dead]) await mkdir(join(tempRoot, id, 'build-1'), { recursive: true });
    await mkdir(join(tempRoot, 'upload-from-an-old-layout'), { recursive: true });

    const shared = await putBlob('a layer two versions share');
    const onlyDead = await putBlob('a layer only the dead build copied');
    const onlyLive = await putBlob('a layer only the live build copied');
    const ready = await addVersion('0.9.0', { state: 'ready', owner: null, blobs: [shared] });
    const building = await addVersion('1.0.0', { state: 'processing', owner: live, blobs: [onlyLive] });
    const orphan = await addVersion('1.1.0', { state: 'processing', owner: dead, blobs: [shared, onlyDead] });
    // Left `processing` before processes were tracked (the old fault): it has no owner.
    const legacy = await addVersion('1.2.0', { state: 'processing', owner: null, blobs: [] });

    const result = await sweepDeadProcesses(cloud.deps, { isSoleProcess: false, partialBlobIdleSeconds: 30 });

    expect(result.deadProcesses).toEqual([dead]);
    expect(result.failedVersions.map((version) => version.version).sort()).toEqual(['1.1.0', '1.2.0']);
    for (const id of [orphan, legacy]) {
      expect(await stateOf(id)).toEqual({ state: 'failed', failureReason: INTERRUPTED_BUILD_REASON, blobDigests: [] });
    }
    expect((await stateOf(building)).state).toBe('processing');
    expect((await stateOf(ready)).state).toBe('ready');
    expect(await cloud.deps.blobs.has(onlyDead)).toBe(false);
    expect(await cloud.deps.blobs.has(shared)).toBe(true);
    expect(await cloud.deps.blobs.has(onlyLive)).toBe(true);
    expect((await readdir(tempRoot)).sort()).toEqual([live].sort());
    const processes = await cloud.deps.db.select({ id: schema.cloudProcesses.id }).from(schema.cloudProcesses);
    expect(processes.map((row) => row.id)).not.toContain(dead);
    expect(processes.map((row) => row.id)).toContain(live);

    // The embedded database has one process: at its start, every other one is dead.
    const sole = await sweepDeadProcesses(cloud.deps, { isSoleProcess: true, partialBlobIdleSeconds: 0 });
    expect(sole.deadProcesses).toEqual([live]);
    expect(await stateOf(building)).toMatchObject({ state: 'failed', failureReason: INTERRUPTED_BUILD_REASON });
    expect(await cloud.deps.blobs.has(onlyLive)).toBe(false);
    expect(await readdir(tempRoot)).toEqual([]);
    await cloud.deps.db.delete(schema.serviceVersions).where(eq(schema.serviceVersions.serviceId, serviceId));
  });

  it('removes blob-store temp files of puts that stopped, not of a put still writing', async () => {
    const partials = join(cloud.dataDir, 'blobs', 'tmp');
    await mkdir(partials, { recursive: true });
    const { writeFile, utimes } = await import('node:fs/promises');
    await writeFile(join(partials, 'stopped.partial'), 'half a blob');
    const anHourAgo = new Date(Date.now() - 3600_000);
    await utimes(join(partials, 'stopped.partial'), anHourAgo, anHourAgo);
    await writeFile(join(partials, 'writing.partial'), 'a blob being written');
    await sweepDeadProcesses(cloud.deps, { isSoleProcess: false, partialBlobIdleSeconds: 30 });
    expect(await readdir(partials)).toEqual(['writing.partial']);
    await sweepDeadProcesses(cloud.deps, { isSoleProcess: true, partialBlobIdleSeconds: 0 });
    expect(await readdir(partials)).toEqual([]);
    await expect(stat(cloud.deps.tempDirectory)).rejects.toThrow();
  });

  it('ends a build as failed, keeping the reason, when another process failed its version meanwhile', async () => {
    const packagePath = await makeServicePackage(credential, serviceId, '2.0.0');
    const listBlobs = async () => {
      const digests: string[] = [];
      for await (const digest of cloud.deps.blobs.store.list()) digests.push(digest);
      return digests;
    };
    const before = await listBlobs();
    // While this process copies blobs, a peer takes it for dead and fails its version.
    let hasInterfered = false;
    const blobs: BlobStorage = {
      ...cloud.deps.blobs,
      put: async (source, expected) => {
        if (!hasInterfered) {
          hasInterfered = true;
          await failInterruptedBuilds(cloud.deps, [cloud.deps.process.id]);
        }
        return cloud.deps.blobs.put(source, expected);
      },
    };
    const result = await uploadServiceVersion({ ...cloud.deps, blobs }, sp, {
      serviceId,
      version: '2.0.0',
      packagePath,
      packageSize: (await stat(packagePath)).size,
    });
    expect(result.state).toBe('failed');
    const [version] = await cloud.caller(sp).versions.list({ serviceId });
    expect(version).toMatchObject({ version: '2.0.0', state: 'failed', failureReason: INTERRUPTED_BUILD_REASON });
    expect(await listBlobs()).toEqual(before);
  });
});
