import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPkcs12, type Credential } from '@openaos/pki';
import type { Actor } from '../actor.js';
import type { BlobStorage } from '../blob-storage.js';
import { createCloudFixture, type CloudFixture } from '../testing/cloud-fixture.js';
import { makeServicePackage } from '../testing/service-packages.js';
import { uploadServiceVersion } from './upload.js';

describe('uploadServiceVersion when storing fails', () => {
  let cloud: CloudFixture;
  let sp: Actor;
  let credential: Credential;
  let serviceId: string;
  beforeAll(async () => {
    cloud = await createCloudFixture('pglite');
    sp = await cloud.addUser('sp', 'Provider', 'p@sp.example');
    credential = readPkcs12(Buffer.from((await cloud.caller(sp).credentials.issue()).pkcs12Base64, 'base64'));
    serviceId = (await cloud.caller(sp).services.create({ title: 'hello' })).id;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('records the version as failed with the reason and removes every blob it added', async () => {
    const packagePath = await makeServicePackage(credential, serviceId, '1.0.0');
    // A storage that fills up after three blobs: the upload dies half way through copying.
    let puts = 0;
    const failing: BlobStorage = {
      ...cloud.deps.blobs,
      put: async (source, expected) => {
        if (++puts > 3) throw new Error('no space left on device');
        return cloud.deps.blobs.put(source, expected);
      },
    };
    const result = await uploadServiceVersion({ ...cloud.deps, blobs: failing }, sp, { serviceId, version: '1.0.0', packagePath, packageSize: statSync(packagePath).size });
    expect(result).toMatchObject({ version: '1.0.0', state: 'failed' });
    expect(result.failureReason).toMatch(/no space left on device/);
    const [version] = await cloud.caller(sp).versions.list({ serviceId });
    expect(version).toMatchObject({ state: 'failed', failureReason: result.failureReason, imageDigest: null });
    const blobs: string[] = [];
    for await (const digest of cloud.deps.blobs.store.list()) blobs.push(digest);
    expect(blobs).toEqual([]);
    expect(await readdir(join(cloud.dataDir, 'tmp'))).toEqual([]);

    // A failed version does not block uploading the same version again.
    const retry = await uploadServiceVersion(cloud.deps, sp, { serviceId, version: '1.0.0', packagePath, packageSize: statSync(packagePath).size });
    expect(retry.state).toBe('ready');
    expect((await cloud.caller(sp).versions.list({ serviceId })).map((v) => [v.version, v.state])).toEqual([['1.0.0', 'ready']]);
  });
});
