import { describe, expect, it, test } from 'vitest';
import {
  createCertificateAuthority,
  issueUserCredential,
  readPkcs12,
  readX5c,
  decodeJws,
  verifyJws,
} from '@openaos/pki';
import {
  CERTIFICATE_TOKEN_LIFETIME_SECONDS,
  certificateTokenPayloadSchema,
  createCertificateToken,
  formatCertificateAuthorization,
  isUploadPath,
  readCertificateAuthorization,
  unitBlobPath,
} from './http-contract.js';

const authority = createCertificateAuthority({ commonName: 'Contract test CA' });
const credential = readPkcs12(
  issueUserCredential(authority, { commonName: 'sp@example.com', organization: 'Provider', role: 'sp' }).pkcs12,
);

describe('the AosCert request token', () => {
  it('is an RS256 JWS with the chain in x5c and a payload the shared schema accepts', () => {
    const now = new Date('2027-01-02T03:04:05.678Z');
    const token = createCertificateToken(credential, { method: 'post', path: '/api/v1/services/versions/' }, now);
    const decoded = decodeJws(token);
    const [leaf] = readX5c(decoded.header);
    expect(leaf?.fingerprint256).toBe(credential.certificate.fingerprint256);
    const payload = certificateTokenPayloadSchema.parse(verifyJws(token, credential.certificate));
    const iat = Math.floor(now.getTime() / 1000);
    expect(payload).toMatchObject({ iat, exp: iat + CERTIFICATE_TOKEN_LIFETIME_SECONDS, method: 'POST' });
    expect(payload.path).toBe('/api/v1/services/versions/');
  });

  it('carries a new nonce in every token', () => {
    const request = { method: 'GET', path: '/api/trpc/services.list' };
    const nonces = new Set(
      Array.from(
        { length: 5 },
        () => certificateTokenPayloadSchema.parse(decodeJws(createCertificateToken(credential, request)).payload).nonce,
      ),
    );
    expect(nonces.size).toBe(5);
  });

  it('round-trips through the Authorization header and tells a wrong scheme from none', () => {
    const token = createCertificateToken(credential, { method: 'GET', path: '/x' });
    expect(readCertificateAuthorization(formatCertificateAuthorization(token))).toBe(token);
    expect(readCertificateAuthorization(`  AosCert   ${token} `)).toBe(token);
    expect(readCertificateAuthorization(undefined)).toBeNull();
    expect(readCertificateAuthorization('   ')).toBeNull();
    expect(readCertificateAuthorization(`Bearer ${token}`)).toBeUndefined();
    expect(readCertificateAuthorization('AosCert')).toBeUndefined();
  });
});

describe('isUploadPath', () => {
  it('takes the upload path with and without its trailing slash, and nothing else', () => {
    expect(isUploadPath('/api/v1/services/versions/')).toBe(true);
    expect(isUploadPath('/api/v1/services/versions')).toBe(true);
    expect(isUploadPath('/api/v1/services/versions/x')).toBe(false);
    expect(isUploadPath('/api/trpc/services.list')).toBe(false);
  });
});

describe('unit paths', () => {
  test('a blob path is the sha256 hex under the blob route, with or without the algorithm', () => {
    const hex = 'a'.repeat(64);
    expect(unitBlobPath(`sha256:${hex}`)).toBe(`/api/v7/blobs/sha256/${hex}`);
    expect(unitBlobPath(hex)).toBe(`/api/v7/blobs/sha256/${hex}`);
  });

  test.each(['sha256:../../etc/passwd', 'sha512:' + 'a'.repeat(128), 'A'.repeat(64), ''])('%j is refused', (digest) => {
    expect(() => unitBlobPath(digest)).toThrow(/not a sha256 digest/);
  });
});
