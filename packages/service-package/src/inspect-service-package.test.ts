import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServicePackage } from './build-service-package.js';
import { inspectServicePackage } from './inspect-service-package.js';
import { createTestService, createTestSigner, type TestSigner } from './testing/test-service.js';

let workDir: string;
let signer: TestSigner;
let packagePath: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'service-package-inspect-'));
  signer = createTestSigner();
  packagePath = (
    await buildServicePackage({
      serviceDir: await createTestService(join(workDir, 'service')),
      credential: signer.credential,
      signedAt: new Date('2026-11-20T10:11:12Z'),
    })
  ).path;
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('inspectServicePackage', () => {
  it('lists entries, hashes, the signer and a passing verification', async () => {
    const inspection = await inspectServicePackage(packagePath, {
      trust: { roots: [new X509Certificate(signer.ca.certificatePem)] },
    });
    expect(inspection.verification).toEqual({ ok: true, trusted: true });
    expect((await inspectServicePackage(packagePath)).verification).toEqual({ ok: true, trusted: false });
    expect(inspection.entries.map((entry) => entry.name)).toEqual(['config.yaml', 'package.sign', 'service.tar.gz']);
    const inner = inspection.entries.find((entry) => entry.name === 'service.tar.gz');
    expect(inspection.signedFiles?.[0]).toEqual({ name: 'service.tar.gz', hash: inner?.hash, size: inner?.size });
    expect(inspection.signer).toMatchObject({
      hasChain: true,
      subject: { commonName: 'Test SP' },
      serialNumber: signer.credential.certificate.serialNumber,
    });
    expect(inspection.config?.publish.version).toBe('1.0.0');
    expect(inspection.created).toBe('2026-11-20T10:11:12.000Z');
  });

  it('reports an untrusted signer and a damaged file instead of throwing', async () => {
    const untrusted = await inspectServicePackage(packagePath, { trust: { roots: [] } });
    expect(untrusted.verification).toMatchObject({ ok: false, code: 'untrusted-signer' });
    expect(untrusted.signer?.subject?.commonName).toBe('Test SP');

    const damagedPath = join(workDir, 'damaged.tar.gz');
    const bytes = await readFile(packagePath);
    await writeFile(damagedPath, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const damaged = await inspectServicePackage(damagedPath);
    expect(damaged.verification).toMatchObject({ ok: false, code: 'corrupt' });
  });
});
