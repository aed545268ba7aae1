import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPkcs12, signJws, type Credential } from '@openaos/pki';
import type { Actor } from '../actor.js';
import type { BlobStorage } from '../blob-storage.js';
import { createCloudFixture, type CloudFixture } from '../testing/cloud-fixture.js';
import { makeServicePackage, serviceConfigYaml } from '../testing/service-packages.js';
import { uploadServiceVersion } from './upload.js';

// Python's tarfile writes what our own packer refuses to: an inner service/ tree whose entry
// climbs out of its directory. Outer archive and package.sign are otherwise correct.
const WRITE_HOSTILE_PACKAGE = `
import io, sys, tarfile
work, config = sys.argv[1], open(sys.argv[2], 'rb').read()
with tarfile.open(work + '/service.tar.gz', 'w:gz') as tar:
    for name, data in (('./config.yaml', config), ('./service/../../escaped.txt', b'owned')):
        info = tarfile.TarInfo(name); info.size = len(data); tar.addfile(info, io.BytesIO(data))
`;
const WRITE_OUTER = `
import sys, tarfile
work = sys.argv[1]
with tarfile.open(work + '/package.tar.gz', 'w:gz') as tar:
    for name in ('config.yaml', 'package.sign', 'service.tar.gz'):
        tar.add(work + '/' + name, arcname='./' + name)
`;

async function makeHostilePackage(credential: Credential, serviceId: string, version: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'openaos-hostile-'));
  const configPath = join(work, 'config.yaml');
  await writeFile(configPath, serviceConfigYaml(serviceId, version));
  execFileSync('python3', ['-c', WRITE_HOSTILE_PACKAGE, work, configPath]);
  const describeFile = async (name: string) => {
    const bytes = await readFile(join(work, name));
    return { name, hash: createHash('sha3-512').update(bytes).digest('hex'), size: bytes.length };
  };
  const token = signJws(
    { data: [await describeFile('service.tar.gz'), await describeFile('config.yaml')] },
    credential,
  );
  await writeFile(join(work, 'package.sign'), token);
  execFileSync('python3', ['-c', WRITE_OUTER, work]);
  return join(work, 'package.tar.gz');
}

describe('uploadServiceVersion when things go wrong', () => {
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
    const result = await uploadServiceVersion({ ...cloud.deps, blobs: failing }, sp, {
      serviceId,
      version: '1.0.0',
      packagePath,
      packageSize: statSync(packagePath).size,
    });
    expect(result).toMatchObject({ version: '1.0.0', state: 'failed' });
    expect(result.failureReason).toMatch(/no space left on device/);
    const [version] = await cloud.caller(sp).versions.list({ serviceId });
    expect(version).toMatchObject({ state: 'failed', failureReason: result.failureReason, imageDigest: null });
    const blobs: string[] = [];
    for await (const digest of cloud.deps.blobs.store.list()) blobs.push(digest);
    expect(blobs).toEqual([]);
    expect(await readdir(cloud.deps.tempDirectory).catch(() => [])).toEqual([]);

    // A failed version does not block uploading the same version again.
    const retry = await uploadServiceVersion(cloud.deps, sp, {
      serviceId,
      version: '1.0.0',
      packagePath,
      packageSize: statSync(packagePath).size,
    });
    expect(retry.state).toBe('ready');
    expect((await cloud.caller(sp).versions.list({ serviceId })).map((v) => [v.version, v.state])).toEqual([
      ['1.0.0', 'ready'],
    ]);
  });

  it('blames the package (naming the entry), not the image builder, and keeps no blob', async () => {
    const packagePath = await makeHostilePackage(credential, serviceId, '2.0.0');
    const listBlobs = async () => {
      const digests: string[] = [];
      for await (const digest of cloud.deps.blobs.store.list()) digests.push(digest);
      return digests.sort();
    };
    const blobsBefore = await listBlobs();
    const outcome = await uploadServiceVersion(cloud.deps, sp, {
      serviceId,
      version: '2.0.0',
      packagePath,
      packageSize: statSync(packagePath).size,
    }).then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error: error as { code?: string; message: string } }),
    );
    const reason = outcome.error
      ? `${outcome.error.code}: ${outcome.error.message}`
      : `${outcome.result?.state}: ${outcome.result?.failureReason}`;
    expect(reason).not.toMatch(/image-build-failed|building the OCI image/);
    expect(reason).toMatch(/escaped\.txt/);
    if (outcome.error) expect(outcome.error.code).toBe('package-invalid');
    else expect(outcome.result?.state).toBe('failed');
    expect(await listBlobs()).toEqual(blobsBefore);
  });
});
