import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore, readServiceImage } from '@openaos/image';
import { createCertificateAuthority, issueUserCredential, readPkcs12, type Credential } from '@openaos/pki';
import { CLOUD_HTTP_PATHS, createCertificateToken } from '@openaos/protocol';
import type { Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { createCloudFixture, type CloudFixture } from '../testing/cloud-fixture.js';
import { makeServicePackage } from '../testing/service-packages.js';
import { handleUploadRequest } from './upload-handler.js';

const UPLOAD_PATH = CLOUD_HTTP_PATHS.upload;

interface UploadResponse {
  status: number;
  body: Record<string, unknown>;
}

describe.each(['pglite', 'postgres'] as const)('package upload on %s', (driver) => {
  let cloud: CloudFixture;
  let server: Server;
  let baseUrl: string;
  let depsForServer: CloudDependencies;
  let spA: Actor;
  let spB: Actor;
  let credentialA: Credential;
  let credentialB: Credential;
  let serviceId: string;

  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    depsForServer = cloud.deps;
    server = createServer((request, response) => void handleUploadRequest(depsForServer, request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    spA = await cloud.addUser('sp', 'Provider A', 'a@sp.example');
    spB = await cloud.addUser('sp', 'Provider B', 'b@sp.example');
    credentialA = readPkcs12(Buffer.from((await cloud.caller(spA).credentials.issue()).pkcs12Base64, 'base64'));
    credentialB = readPkcs12(Buffer.from((await cloud.caller(spB).credentials.issue()).pkcs12Base64, 'base64'));
    serviceId = (await cloud.caller(spA).services.create({ title: 'hello' })).id;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await cloud?.close();
  });

  async function upload(
    packagePath: string,
    options: { as: Credential; service?: string; version: string },
  ): Promise<UploadResponse> {
    const form = new FormData();
    form.set('service', options.service ?? serviceId);
    form.set('version', options.version);
    form.set('package_version', '2');
    form.set('file', new Blob([await readFile(packagePath)]), 'service.tar.gz');
    const token = createCertificateToken(options.as, { method: 'POST', path: UPLOAD_PATH });
    const response = await fetch(`${baseUrl}${UPLOAD_PATH}`, {
      method: 'POST',
      body: form,
      headers: { Authorization: `AosCert ${token}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function blobCount(): Promise<number> {
    let count = 0;
    for await (const _ of cloud.deps.blobs.store.list()) count++;
    return count;
  }

  async function tempFiles(): Promise<string[]> {
    return readdir(cloud.deps.tempDirectory).catch(() => []);
  }

  it('accepts a package signed by the owner: 201, ready, image in the blob store', async () => {
    const packagePath = await makeServicePackage(credentialA, serviceId, '1.0.0');
    const response = await upload(packagePath, { as: credentialA, version: '1.0.0' });
    expect(response).toMatchObject({ status: 201, body: { version: '1.0.0', state: 'ready' } });
    const version = await cloud.caller(spA).versions.get({ id: response.body.id as string });
    expect(version.state).toBe('ready');
    expect(version.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(version.packageSize).toBe((await readFile(packagePath)).length);
    expect(version.configSummary?.cmd).toEqual(['/bin/sh', '/app/hello.sh']);
    // The image reads back with every digest verified.
    const image = await readServiceImage(new BlobStore(join(cloud.dataDir, 'blobs')), version.imageDigest!);
    expect(image.imageConfig.config.WorkingDir).toBe('/app');
    expect(await cloud.deps.blobs.has(version.packageDigest!)).toBe(true);
    expect(await tempFiles()).toEqual([]);
  });

  it('refuses a version that is not newer (409) and leaves nothing behind', async () => {
    const before = await blobCount();
    for (const version of ['1.0.0', '0.9.0', '1.0.0-rc.1']) {
      const response = await upload(await makeServicePackage(credentialA, serviceId, version), {
        as: credentialA,
        version,
      });
      expect(response.status, version).toBe(409);
      expect(response.body).toMatchObject({ code: 'version-not-newer' });
      expect(response.body.message).toMatch(/1\.0\.0 exists/);
    }
    expect(await blobCount()).toBe(before);
    expect(await tempFiles()).toEqual([]);
  });

  it("refuses a package signed by another SP's credential (403 wrong-signer)", async () => {
    const before = await blobCount();
    const response = await upload(await makeServicePackage(credentialB, serviceId, '1.1.0'), {
      as: credentialA,
      version: '1.1.0',
    });
    expect(response).toMatchObject({ status: 403, body: { code: 'wrong-signer' } });
    expect(await blobCount()).toBe(before);
    expect((await cloud.caller(spA).versions.list({ serviceId })).map((v) => v.version)).toEqual(['1.0.0']);
  });

  it("hides another SP's service (404) even with a package it signed itself", async () => {
    const response = await upload(await makeServicePackage(credentialB, serviceId, '1.1.0'), {
      as: credentialB,
      version: '1.1.0',
    });
    expect(response).toMatchObject({ status: 404, body: { code: 'not-found' } });
  });

  it('refuses a signer from a foreign CA (403 untrusted-signer)', async () => {
    const foreignCa = createCertificateAuthority({ commonName: 'Someone else' });
    const foreign = readPkcs12(
      issueUserCredential(foreignCa, { commonName: 'a@sp.example', organization: 'Provider A', role: 'sp' }).pkcs12,
    );
    const response = await upload(await makeServicePackage(foreign, serviceId, '1.1.0'), {
      as: credentialA,
      version: '1.1.0',
    });
    expect(response).toMatchObject({ status: 403, body: { code: 'untrusted-signer' } });
  });

  it('refuses a tampered package (422 package-invalid)', async () => {
    const packagePath = await makeServicePackage(credentialA, serviceId, '1.1.0');
    const bytes = await readFile(packagePath);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await writeFile(packagePath, bytes);
    const before = await blobCount();
    const response = await upload(packagePath, { as: credentialA, version: '1.1.0' });
    expect(response).toMatchObject({ status: 422, body: { code: 'package-invalid' } });
    expect(await blobCount()).toBe(before);
    expect(await tempFiles()).toEqual([]);
  });

  it('refuses a package made for another service, or a version field that differs from publish.version (422)', async () => {
    const other = (await cloud.caller(spA).services.create({ title: 'other' })).id;
    const forOther = await upload(await makeServicePackage(credentialA, other, '1.1.0'), {
      as: credentialA,
      version: '1.1.0',
    });
    expect(forOther).toMatchObject({ status: 422, body: { code: 'service-mismatch' } });
    const mismatch = await upload(await makeServicePackage(credentialA, serviceId, '1.2.0'), {
      as: credentialA,
      version: '1.1.0',
    });
    expect(mismatch).toMatchObject({ status: 422, body: { code: 'service-mismatch' } });
  });

  it('refuses an oversized package (413) without keeping its bytes', async () => {
    const packagePath = await makeServicePackage(credentialA, serviceId, '1.1.0', { extraBytes: 256 * 1024 });
    depsForServer = { ...cloud.deps, maxUploadBytes: 64 * 1024 };
    try {
      const response = await upload(packagePath, { as: credentialA, version: '1.1.0' });
      expect(response).toMatchObject({ status: 413, body: { code: 'payload-too-large' } });
    } finally {
      depsForServer = cloud.deps;
    }
    expect(await tempFiles()).toEqual([]);
  });

  it('refuses anonymous uploads (401) and missing fields (400)', async () => {
    const form = new FormData();
    form.set('service', serviceId);
    const anonymous = await fetch(`${baseUrl}${UPLOAD_PATH}`, { method: 'POST', body: form });
    expect(anonymous.status).toBe(401);
    const token = createCertificateToken(credentialA, { method: 'POST', path: UPLOAD_PATH });
    const missing = await fetch(`${baseUrl}${UPLOAD_PATH}`, {
      method: 'POST',
      body: form,
      headers: { Authorization: `AosCert ${token}` },
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { message: string }).message).toMatch(/version, file/);
  });

  it('removes the partial file when the client goes away mid-upload', async () => {
    const boundary = 'openaos-test-boundary';
    const token = createCertificateToken(credentialA, { method: 'POST', path: UPLOAD_PATH });
    const client = httpRequest(`${baseUrl}${UPLOAD_PATH}`, {
      method: 'POST',
      headers: {
        Authorization: `AosCert ${token}`,
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'Content-Length': String(10 * 1024 * 1024),
      },
    });
    client.on('error', () => undefined);
    client.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="service.tar.gz"\r\nContent-Type: application/gzip\r\n\r\n`,
    );
    client.write(Buffer.alloc(256 * 1024, 1));
    // A guard, not a measure: the default 1 s poll failed on a loaded machine before the server had read the first bytes.
    await expect.poll(tempFiles, { timeout: 30_000 }).toHaveLength(1);
    client.destroy();
    await expect.poll(tempFiles, { timeout: 30_000 }).toEqual([]);
  });

  it('accepts the next version and deleting it frees only its own blobs', async () => {
    const response = await upload(await makeServicePackage(credentialA, serviceId, '1.1.0'), {
      as: credentialA,
      version: '1.1.0',
    });
    expect(response).toMatchObject({ status: 201, body: { state: 'ready' } });
    const versions = await cloud.caller(spA).versions.list({ serviceId });
    expect(versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    const [newer, older] = versions;
    await cloud.caller(spA).versions.remove({ id: newer!.id });
    expect(await cloud.deps.blobs.has(newer!.imageDigest!)).toBe(false);
    expect(await cloud.deps.blobs.has(older!.imageDigest!)).toBe(true);
    // OEM approval of the remaining ready version.
    const oem = await cloud.addUser('oem', 'Maker', 'o@oem.example');
    await expect(cloud.caller(spA).versions.approve({ id: older!.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await cloud.caller(oem).versions.approve({ id: older!.id })).state).toBe('approved');
  });
});
