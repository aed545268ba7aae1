import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createCertificateAuthority } from './certificate-authority.js';
import {
  createCertificateRequest,
  issueUnitCertificateFromRequest,
  readCertificateRequest,
} from './certificate-request.js';
import { PkiError } from './errors.js';
import { describeSubject } from './subject.js';
import { makeTempDirectory, runOpenssl } from './test-helpers.js';
import { verifyCertificateChain } from './verify-chain.js';

describe('certificate requests', () => {
  const root = createCertificateAuthority({ commonName: 'OpenAos Root CA', organization: 'OpenAos' });
  const issuing = createCertificateAuthority({ commonName: 'OpenAos Unit CA', organization: 'OpenAos', issuer: root });

  test('a request is a PKCS#10 openssl verifies, for the key that stays with the requester', () => {
    const request = createCertificateRequest({ commonName: 'unit-0001' });
    const directory = makeTempDirectory();
    const csrPath = join(directory, 'unit.csr');
    writeFileSync(csrPath, request.csrPem);
    const openssl = runOpenssl(['req', '-in', csrPath, '-noout', '-verify', '-subject']);
    expect(openssl).toMatch(/verify OK/i);
    expect(openssl).toMatch(/subject=CN\s*=\s*unit-0001/);
    const read = readCertificateRequest(request.csrPem);
    expect(read.commonName).toBe('unit-0001');
    expect(read.publicKeyPem).toBe(
      createPublicKey(createPrivateKey(request.privateKeyPem)).export({ format: 'pem', type: 'spki' }).toString(),
    );
  });

  test('the certificate takes the subject the issuer sets, the key of the request, and chains to the CA', () => {
    const request = createCertificateRequest({ commonName: 'someone-else' });
    const issued = issueUnitCertificateFromRequest(issuing, { csrPem: request.csrPem, systemId: 'unit-0002' });
    const certificate = new X509Certificate(issued.certificatePem);
    expect(describeSubject(certificate)).toEqual({
      commonName: 'unit-0002',
      organization: 'OpenAos',
      organizationalUnit: 'Unit',
    });
    expect(certificate.checkPrivateKey(createPrivateKey(request.privateKeyPem))).toBe(true);
    expect(issued.chainPem).toEqual([issuing.certificatePem, root.certificatePem]);
    expect(issued.fingerprint256).toBe(certificate.fingerprint256);
    expect(() =>
      verifyCertificateChain(
        certificate,
        issued.chainPem.map((pem) => new X509Certificate(pem)),
        [new X509Certificate(root.certificatePem)],
      ),
    ).not.toThrow();
  });

  test('a request whose signature does not match its key is refused', () => {
    const request = createCertificateRequest({ commonName: 'unit-0003' });
    const body = Buffer.from(request.csrPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    body[body.length - 10] = (body[body.length - 10] ?? 0) ^ 0xff; // inside the signature
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${body.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(() => readCertificateRequest(tampered)).toThrow(expect.objectContaining({ code: 'bad-signature' }));
    expect(() => issueUnitCertificateFromRequest(issuing, { csrPem: tampered, systemId: 'unit-0003' })).toThrow(
      PkiError,
    );
  });

  test.each([
    ['not PEM', 'hello'],
    ['a certificate, not a request', root.certificatePem],
    ['oversized', `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(20_000)}\n-----END CERTIFICATE REQUEST-----\n`],
  ])('%s is refused as bad-pem', (_name, pem) => {
    expect(() => readCertificateRequest(pem)).toThrow(expect.objectContaining({ code: 'bad-pem' }));
  });
});
