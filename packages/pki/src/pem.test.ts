import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { createCertificateAuthority } from './certificate-authority.js';
import { issueUserCredential } from './issue.js';
import { loadCredential, readPemCertificates, readPemCredential, toPem } from './pem.js';
import { makeTempDirectory, runOpenssl } from './test-helpers.js';
import type { CertificateAuthority, IssuedCredential } from './types.js';

let ca: CertificateAuthority;
let alice: IssuedCredential;
let bob: IssuedCredential;
let directory: string;

beforeAll(() => {
  ca = createCertificateAuthority({ commonName: 'Test CA', organization: 'OpenAos' });
  alice = issueUserCredential(ca, { commonName: 'alice', organization: 'cloud.example', role: 'oem' });
  bob = issueUserCredential(ca, { commonName: 'bob', organization: 'cloud.example', role: 'sp' });
  directory = makeTempDirectory();
});

describe('PEM credentials', () => {
  test('reads key + certificate + chain, whatever the certificate order', () => {
    const credential = readPemCredential(alice.privateKeyPem, [...alice.chainPem, alice.certificatePem].join('\n'));
    expect(credential.certificate.fingerprint256).toBe(alice.fingerprint256);
    expect(credential.chain.map((certificate) => certificate.subject)).toEqual(['CN=Test CA\nO=OpenAos']);
  });

  test('refuses a certificate that does not match the key', () => {
    expect(() => readPemCredential(alice.privateKeyPem, bob.certificatePem)).toThrow(
      expect.objectContaining({ code: 'key-mismatch' }) as Error,
    );
    expect(() => readPemCredential('no key here', bob.certificatePem)).toThrow(
      expect.objectContaining({ code: 'bad-pem' }) as Error,
    );
  });

  test('reads an encrypted PKCS#8 key (openssl) with its password', () => {
    const keyPath = join(directory, 'plain.key');
    writeFileSync(keyPath, alice.privateKeyPem);
    const encrypted = runOpenssl(['pkcs8', '-topk8', '-in', keyPath, '-passout', 'pass:s3cret', '-v2', 'aes-256-cbc']);
    expect(readPemCredential(encrypted, alice.certificatePem, { password: 's3cret' }).certificate.fingerprint256).toBe(
      alice.fingerprint256,
    );
    expect(() => readPemCredential(encrypted, alice.certificatePem)).toThrow(
      expect.objectContaining({ code: 'bad-key' }) as Error,
    );
  });

  test('toPem and readPemCertificates round-trip', () => {
    const [certificate] = readPemCertificates(alice.certificatePem);
    expect(certificate && readPemCertificates(toPem(certificate))[0]?.fingerprint256).toBe(alice.fingerprint256);
  });
});

describe('loadCredential', () => {
  test('loads a .p12, a key + certificate pair, and a combined PEM file', async () => {
    const p12Path = join(directory, 'aos-user-oem.p12');
    const keyPath = join(directory, 'alice.key');
    const certificatePath = join(directory, 'alice.crt');
    const combinedPath = join(directory, 'alice.pem');
    writeFileSync(p12Path, alice.pkcs12);
    writeFileSync(keyPath, alice.privateKeyPem);
    writeFileSync(certificatePath, [alice.certificatePem, ...alice.chainPem].join(''));
    writeFileSync(combinedPath, [alice.privateKeyPem, alice.certificatePem, ...alice.chainPem].join(''));
    for (const credential of [
      await loadCredential(p12Path),
      await loadCredential(keyPath, { certificatePath }),
      await loadCredential(combinedPath),
    ]) {
      expect(credential.certificate.fingerprint256).toBe(alice.fingerprint256);
      expect(credential.chain).toHaveLength(1);
    }
  });

  test('a missing file says which path', async () => {
    await expect(loadCredential(join(directory, 'missing.p12'))).rejects.toThrow(/missing\.p12: ENOENT/);
  });
});
