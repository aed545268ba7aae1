import { createHmac, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { createCertificateAuthority } from './certificate-authority.js';
import { issueUserCredential } from './issue.js';
import { decodeJws, readX5c, signJws, verifyJws } from './jws.js';
import { aosKeyId } from './key-id.js';
import { readPkcs12 } from './pkcs12.js';
import type { Credential } from './types.js';

const payload = { data: [{ name: 'service.tar.gz', hash: 'ab'.repeat(64), size: 1597 }] };
let alice: Credential;
let mallory: Credential;

beforeAll(() => {
  const ca = createCertificateAuthority({ commonName: 'Aos SP Issuing CA', organization: 'EPAM', organizationalUnit: 'Aos' });
  alice = readPkcs12(issueUserCredential(ca, { commonName: 'alice', organization: 'cloud.example', role: 'sp' }).pkcs12);
  mallory = readPkcs12(issueUserCredential(ca, { commonName: 'mallory', organization: 'cloud.example', role: 'sp' }).pkcs12);
});

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('signJws / verifyJws', () => {
  test('writes aos-signer\'s header and verifies back to the payload', () => {
    const token = signJws(payload, alice);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/); // base64url, no padding
    const { header, signature } = decodeJws(token);
    expect(Object.keys(header)).toEqual(['alg', 'kid', 'typ', 'x5c']);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: aosKeyId(alice.certificate) });
    expect(signature).toHaveLength(256);
    expect(readX5c(header).map((certificate) => certificate.fingerprint256)).toEqual([alice.certificate.fingerprint256, ...alice.chain.map((c) => c.fingerprint256)]);
    expect(verifyJws(token, alice.certificate)).toEqual(payload);
  });

  test('includeChain: false leaves x5c out', () => {
    const { header } = decodeJws(signJws(payload, alice, { includeChain: false }));
    expect(header).toEqual({ alg: 'RS256', kid: aosKeyId(alice.certificate), typ: 'JWT' });
    expect(readX5c(header)).toEqual([]);
  });

  test('refuses a token signed by another key', () => {
    const token = signJws(payload, mallory);
    expect(() => verifyJws(token, alice.certificate)).toThrow(expect.objectContaining({ code: 'bad-signature' }) as Error);
  });

  test('refuses a tampered payload', () => {
    const [header, , signature] = signJws(payload, alice).split('.');
    const forged = `${header}.${encode({ data: [{ name: 'service.tar.gz', hash: 'cd'.repeat(64), size: 1 }] })}.${signature}`;
    expect(() => verifyJws(forged, alice.certificate)).toThrow(expect.objectContaining({ code: 'bad-signature' }) as Error);
  });

  test('refuses alg none and HS256 (even keyed with the certificate)', () => {
    const none = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
    expect(() => verifyJws(none, alice.certificate)).toThrow(expect.objectContaining({ code: 'unsupported-algorithm' }) as Error);
    const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
    const mac = createHmac('sha256', alice.certificate.publicKey.export({ format: 'pem', type: 'spki' })).update(signingInput).digest('base64url');
    expect(() => verifyJws(`${signingInput}.${mac}`, alice.certificate)).toThrow(/only RS256/);
  });

  test('decodeJws refuses malformed tokens', () => {
    expect(() => decodeJws('a.b')).toThrow(expect.objectContaining({ code: 'bad-token' }) as Error);
    expect(() => decodeJws('a+b.c.d')).toThrow(expect.objectContaining({ code: 'bad-token' }) as Error);
    expect(() => decodeJws(`${encode('str')}.${encode({})}.`)).toThrow(/not a JSON object/);
  });

  test('verifies with a certificate given as PEM round trip', () => {
    const token = signJws(payload, alice);
    expect(verifyJws(token, new X509Certificate(alice.certificate.toString()))).toEqual(payload);
  });
});
