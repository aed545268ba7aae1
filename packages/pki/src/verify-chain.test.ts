import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { createCertificateAuthority } from './certificate-authority.js';
import { issueLeaf, issueUserCredential } from './issue.js';
import type { CertificateAuthority } from './types.js';
import { verifyCertificateChain } from './verify-chain.js';

let root: CertificateAuthority;
let intermediate: CertificateAuthority;
let leaf: X509Certificate;
let rootCertificate: X509Certificate;
let intermediateCertificate: X509Certificate;

beforeAll(() => {
  root = createCertificateAuthority({ commonName: 'Aos Root CA', organization: 'OpenAos' });
  intermediate = createCertificateAuthority({ commonName: 'Aos SP Issuing CA', organization: 'OpenAos', issuer: root });
  leaf = new X509Certificate(
    issueUserCredential(intermediate, {
      commonName: 'alice',
      organization: 'cloud.example',
      role: 'sp',
    }).certificatePem,
  );
  rootCertificate = new X509Certificate(root.certificatePem);
  intermediateCertificate = new X509Certificate(intermediate.certificatePem);
});

describe('verifyCertificateChain', () => {
  test('accepts leaf → intermediate → root', () => {
    expect(() => verifyCertificateChain(leaf, [intermediateCertificate], [rootCertificate])).not.toThrow();
    // the intermediate itself may be the trust anchor
    expect(() => verifyCertificateChain(leaf, [], [intermediateCertificate])).not.toThrow();
  });

  test('refuses a chain missing its intermediate, naming the certificate', () => {
    expect(() => verifyCertificateChain(leaf, [], [rootCertificate])).toThrow(
      expect.objectContaining({ code: 'untrusted' }) as Error,
    );
    expect(() => verifyCertificateChain(leaf, [], [rootCertificate])).toThrow(/CN=alice/);
  });

  test('refuses a foreign CA even with the same names', () => {
    const foreignRoot = createCertificateAuthority({ commonName: 'Aos Root CA', organization: 'OpenAos' });
    const foreignIntermediate = createCertificateAuthority({
      commonName: 'Aos SP Issuing CA',
      organization: 'OpenAos',
      issuer: foreignRoot,
    });
    const foreignLeaf = new X509Certificate(
      issueUserCredential(foreignIntermediate, {
        commonName: 'alice',
        organization: 'cloud.example',
        role: 'sp',
      }).certificatePem,
    );
    // names match, signatures do not
    expect(() =>
      verifyCertificateChain(foreignLeaf, [new X509Certificate(foreignIntermediate.certificatePem)], [rootCertificate]),
    ).toThrow(expect.objectContaining({ code: 'untrusted' }) as Error);
    expect(() => verifyCertificateChain(foreignLeaf, [intermediateCertificate], [rootCertificate])).toThrow(
      /not issued by a trusted CA/,
    );
  });

  test('refuses an expired leaf and checks validity at the given time', () => {
    const old = issueLeaf(intermediate, {
      subject: { commonName: 'old' },
      profile: 'client',
      validDays: 1,
      notBefore: new Date(Date.now() - 10 * 24 * 60 * 60 * 1000),
    });
    const expired = new X509Certificate(old.certificatePem);
    expect(() => verifyCertificateChain(expired, [intermediateCertificate], [rootCertificate])).toThrow(
      expect.objectContaining({ code: 'expired' }) as Error,
    );
    expect(() => verifyCertificateChain(expired, [intermediateCertificate], [rootCertificate])).toThrow(/CN=old/);
    const nextYear = new Date(Date.now() + 400 * 24 * 60 * 60 * 1000);
    expect(() => verifyCertificateChain(leaf, [intermediateCertificate], [rootCertificate], nextYear)).toThrow(
      /CN=alice.*expired/,
    );
    expect(() =>
      verifyCertificateChain(leaf, [intermediateCertificate], [rootCertificate], new Date('2000-01-01')),
    ).toThrow(expect.objectContaining({ code: 'not-yet-valid' }) as Error);
  });

  test('refuses a certificate issued by a non-CA certificate', () => {
    const alice = issueUserCredential(intermediate, { commonName: 'alice', organization: 'cloud.example', role: 'sp' });
    const byLeaf = issueLeaf(
      { certificatePem: alice.certificatePem, privateKeyPem: alice.privateKeyPem },
      { subject: { commonName: 'sub' }, profile: 'client', validDays: 1 },
    );
    expect(() =>
      verifyCertificateChain(
        new X509Certificate(byLeaf.certificatePem),
        [new X509Certificate(alice.certificatePem), intermediateCertificate],
        [rootCertificate],
      ),
    ).toThrow(/CN=alice.*is not a CA/);
  });

  test('openssl agrees that the issued chain verifies', async () => {
    const { runOpenssl, makeTempDirectory } = await import('./test-helpers.js');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const directory = makeTempDirectory();
    writeFileSync(join(directory, 'root.pem'), root.certificatePem);
    writeFileSync(join(directory, 'intermediate.pem'), intermediate.certificatePem);
    writeFileSync(join(directory, 'leaf.pem'), leaf.toString());
    const output = runOpenssl([
      'verify',
      '-CAfile',
      join(directory, 'root.pem'),
      '-untrusted',
      join(directory, 'intermediate.pem'),
      '-purpose',
      'sslclient',
      join(directory, 'leaf.pem'),
    ]);
    expect(output).toContain('leaf.pem: OK');
  });
});
