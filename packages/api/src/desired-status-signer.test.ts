import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, isDesiredStatusSigner, verifyCertificateChain } from '@openaos/pki';
import { DESIRED_STATUS_SIGNER_FILE, loadOrCreateDesiredStatusSigner } from './desired-status-signer.js';

describe('the desired-status signer', () => {
  const directories: string[] = [];
  afterAll(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it('is created once even by processes starting at the same time, kept private, and chains to the CA', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'openaos-signer-'));
    directories.push(directory);
    const ca = createCertificateAuthority({ commonName: 'Test CA', organization: 'OpenAos', validDays: 30 * 12 });
    const signers = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateDesiredStatusSigner(directory, ca)));
    expect(new Set(signers.map((signer) => signer.certificate.fingerprint256)).size).toBe(1);
    const signer = signers[0]!;
    expect(isDesiredStatusSigner(signer.certificate)).toBe(true);
    expect(() =>
      verifyCertificateChain(signer.certificate, signer.chain, [new X509Certificate(ca.certificatePem)], new Date()),
    ).not.toThrow();
    expect((await stat(join(directory, DESIRED_STATUS_SIGNER_FILE))).mode & 0o777).toBe(0o600);
    const reloaded = await loadOrCreateDesiredStatusSigner(directory, ca);
    expect(reloaded.certificate.fingerprint256).toBe(signer.certificate.fingerprint256);
  });
});
