import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createCertificateAuthority } from './certificate-authority.js';
import {
  issueDesiredStatusSigner,
  issueUnitCertificate,
  issueUserCredential,
  isDesiredStatusSigner,
  roleFromLabel,
} from './issue.js';
import { certificateFingerprint, describeSubject } from './subject.js';
import { makeTempDirectory, runOpenssl } from './test-helpers.js';

describe('issuing', () => {
  const root = createCertificateAuthority({ commonName: 'OpenAos Root CA', organization: 'OpenAos' });
  const issuing = createCertificateAuthority({ commonName: 'OpenAos User CA', organization: 'OpenAos', issuer: root });

  test('a CA certificate is a CA and the intermediate carries its chain', () => {
    expect(new X509Certificate(root.certificatePem).ca).toBe(true);
    expect(new X509Certificate(issuing.certificatePem).ca).toBe(true);
    expect(issuing.chainPem).toEqual([root.certificatePem]);
  });

  test.each([
    ['sp', 'Service Provider'],
    ['oem', 'OEM'],
    ['admin', 'Admin'],
  ] as const)('role %s is written as OU=%s, organization as O', (role, label) => {
    const issued = issueUserCredential(issuing, {
      commonName: 'user@example.com',
      organization: 'cloud.example',
      role,
    });
    const certificate = new X509Certificate(issued.certificatePem);
    expect(describeSubject(certificate)).toEqual({
      commonName: 'user@example.com',
      organization: 'cloud.example',
      organizationalUnit: label,
    });
    expect(roleFromLabel(describeSubject(certificate).organizationalUnit)).toBe(role);
    expect(certificate.ca).toBe(false);
    expect(certificate.keyUsage).toContain('1.3.6.1.5.5.7.3.2'); // clientAuth (node lists extended key usages here)
    expect(issued.chainPem).toEqual([issuing.certificatePem, root.certificatePem]);
    expect(issued.serialNumber).toBe(certificate.serialNumber);
    expect(issued.serialNumber).toMatch(/^[0-9A-F]{32}$/);
  });

  test('a unit certificate has CN=systemId, OU=Unit and the CA organization', () => {
    const issued = issueUnitCertificate(issuing, { systemId: 'unit-0001' });
    const certificate = new X509Certificate(issued.certificatePem);
    expect(describeSubject(certificate)).toEqual({
      commonName: 'unit-0001',
      organization: 'OpenAos',
      organizationalUnit: 'Unit',
    });
    expect(certificate.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
  });

  test('a desired-status signer signs only, is told apart from users and units, and openssl verifies it', () => {
    const issued = issueDesiredStatusSigner(issuing);
    const certificate = new X509Certificate(issued.certificatePem);
    expect(describeSubject(certificate)).toEqual({
      commonName: 'OpenAos desired-status signer',
      organization: 'OpenAos',
      organizationalUnit: 'Desired Status Signer',
    });
    expect(certificate.ca).toBe(false);
    expect(certificate.keyUsage ?? []).toEqual([]); // no extended key usage: neither TLS client nor server
    expect(isDesiredStatusSigner(certificate)).toBe(true);
    const unit = new X509Certificate(issueUnitCertificate(issuing, { systemId: 'u' }).certificatePem);
    const user = issueUserCredential(issuing, { commonName: 'sp', organization: 'OpenAos', role: 'sp' });
    expect(isDesiredStatusSigner(unit)).toBe(false);
    expect(isDesiredStatusSigner(new X509Certificate(user.certificatePem))).toBe(false);
    expect(isDesiredStatusSigner(new X509Certificate(issuing.certificatePem))).toBe(false);

    const directory = makeTempDirectory();
    writeFileSync(join(directory, 'signer.pem'), issued.certificatePem);
    writeFileSync(join(directory, 'chain.pem'), issued.chainPem.join(''));
    const text = runOpenssl(['x509', '-in', join(directory, 'signer.pem'), '-noout', '-ext', 'keyUsage']);
    expect(text).toMatch(/critical[\s\S]*Digital Signature\s*$/);
    expect(runOpenssl(['verify', '-CAfile', join(directory, 'chain.pem'), join(directory, 'signer.pem')])).toContain(
      'OK',
    );
  });

  test('fingerprint equals openssl x509 -fingerprint -sha256', () => {
    const issued = issueUserCredential(issuing, { commonName: 'fp', organization: 'cloud.example', role: 'sp' });
    const path = join(makeTempDirectory(), 'fp.pem');
    writeFileSync(path, issued.certificatePem);
    const output = runOpenssl(['x509', '-in', path, '-noout', '-fingerprint', '-sha256']);
    const fingerprint = certificateFingerprint(new X509Certificate(issued.certificatePem));
    expect(output.trim()).toBe(`sha256 Fingerprint=${fingerprint}`);
    expect(issued.fingerprint256).toBe(fingerprint);
  });
});
