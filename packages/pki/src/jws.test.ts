import { createHmac, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { createCertificateAuthority } from './certificate-authority.js';
import { issueUserCredential } from './issue.js';
import { decodeJws, readX5c, signJws, verifyJws } from './jws.js';
import { aosKeyId } from './key-id.js';
import { readPkcs12 } from './pkcs12.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasPythonCryptography, makeTempDirectory, runPython } from './test-helpers.js';
import type { Credential, IssuedCredential } from './types.js';

const payload = { data: [{ name: 'service.tar.gz', hash: 'ab'.repeat(64), size: 1597 }] };
let alice: Credential;
let mallory: Credential;
let aliceIssued: IssuedCredential;

beforeAll(() => {
  const ca = createCertificateAuthority({
    commonName: 'Aos SP Issuing CA',
    organization: 'EPAM',
    organizationalUnit: 'Aos',
  });
  aliceIssued = issueUserCredential(ca, { commonName: 'alice', organization: 'cloud.example', role: 'sp' });
  alice = readPkcs12(aliceIssued.pkcs12);
  mallory = readPkcs12(
    issueUserCredential(ca, { commonName: 'mallory', organization: 'cloud.example', role: 'sp' }).pkcs12,
  );
});

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('signJws / verifyJws', () => {
  test("writes aos-signer's header and verifies back to the payload", () => {
    const token = signJws(payload, alice);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/); // base64url, no padding
    const { header, signature } = decodeJws(token);
    expect(Object.keys(header)).toEqual(['alg', 'kid', 'typ', 'x5c']);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: aosKeyId(alice.certificate) });
    expect(signature).toHaveLength(256);
    expect(readX5c(header).map((certificate) => certificate.fingerprint256)).toEqual([
      alice.certificate.fingerprint256,
      ...alice.chain.map((c) => c.fingerprint256),
    ]);
    expect(verifyJws(token, alice.certificate)).toEqual(payload);
  });

  test('includeChain: false leaves x5c out', () => {
    const { header } = decodeJws(signJws(payload, alice, { includeChain: false }));
    expect(header).toEqual({ alg: 'RS256', kid: aosKeyId(alice.certificate), typ: 'JWT' });
    expect(readX5c(header)).toEqual([]);
  });

  test('refuses a token signed by another key', () => {
    const token = signJws(payload, mallory);
    expect(() => verifyJws(token, alice.certificate)).toThrow(
      expect.objectContaining({ code: 'bad-signature' }) as Error,
    );
  });

  test('refuses a tampered payload', () => {
    const [header, , signature] = signJws(payload, alice).split('.');
    const forged = `${header}.${encode({ data: [{ name: 'service.tar.gz', hash: 'cd'.repeat(64), size: 1 }] })}.${signature}`;
    expect(() => verifyJws(forged, alice.certificate)).toThrow(
      expect.objectContaining({ code: 'bad-signature' }) as Error,
    );
  });

  test('refuses alg none and HS256 (even keyed with the certificate)', () => {
    const none = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
    expect(() => verifyJws(none, alice.certificate)).toThrow(
      expect.objectContaining({ code: 'unsupported-algorithm' }) as Error,
    );
    const signingInput = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
    const mac = createHmac('sha256', alice.certificate.publicKey.export({ format: 'pem', type: 'spki' }))
      .update(signingInput)
      .digest('base64url');
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

// aos-signer signs with PyJWT: sorted compact JSON header, RSASSA-PKCS1-v1_5 over SHA-256.
// PyJWT is not installed here, so Python's cryptography does the same steps by hand.
describe.runIf(hasPythonCryptography())('interoperates with a Python RS256 implementation', () => {
  const script = `import sys, json, base64
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography import x509
b64 = lambda data: base64.urlsafe_b64encode(data).rstrip(b'=').decode()
unb64 = lambda text: base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))
mode, key_path, cert_path, arg = sys.argv[1:5]
if mode == 'sign':
    key = serialization.load_pem_private_key(open(key_path, 'rb').read(), None)
    header = json.dumps({'typ': 'JWT', 'alg': 'RS256', 'kid': arg}, separators=(',', ':'), sort_keys=True).encode()
    payload = json.dumps({'data': [{'name': 'config.yaml', 'hash': 'ab', 'size': 1}]}, separators=(',', ':')).encode()
    signing_input = b64(header) + '.' + b64(payload)
    print(signing_input + '.' + b64(key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())), end='')
else:
    head, body, signature = arg.split('.')
    cert = x509.load_pem_x509_certificate(open(cert_path, 'rb').read())
    cert.public_key().verify(unb64(signature), (head + '.' + body).encode(), padding.PKCS1v15(), hashes.SHA256())
    print(unb64(body).decode(), end='')`;

  function paths(): [string, string] {
    const directory = makeTempDirectory();
    writeFileSync(join(directory, 'key.pem'), aliceIssued.privateKeyPem);
    writeFileSync(join(directory, 'cert.pem'), aliceIssued.certificatePem);
    return [join(directory, 'key.pem'), join(directory, 'cert.pem')];
  }

  test('a token signed the PyJWT way verifies here, header byte-identical to ours', () => {
    const [keyPath, certificatePath] = paths();
    const token = runPython(script, ['sign', keyPath, certificatePath, aosKeyId(alice.certificate)]);
    expect(verifyJws(token, alice.certificate)).toEqual({ data: [{ name: 'config.yaml', hash: 'ab', size: 1 }] });
    expect(token.split('.')[0]).toBe(signJws({}, alice, { includeChain: false }).split('.')[0]);
  });

  test('our token verifies in Python', () => {
    const [keyPath, certificatePath] = paths();
    expect(JSON.parse(runPython(script, ['verify', keyPath, certificatePath, signJws(payload, alice)]))).toEqual(
      payload,
    );
  });
});
