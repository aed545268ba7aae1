import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { createCertificateAuthority } from './certificate-authority.js';
import { PkiError } from './errors.js';
import { issueUserCredential } from './issue.js';
import { readPkcs12, writePkcs12 } from './pkcs12.js';
import { hasPythonCryptography, makeTempDirectory, runOpenssl, runPython } from './test-helpers.js';
import type { CertificateAuthority, IssuedCredential } from './types.js';

let root: CertificateAuthority;
let issuing: CertificateAuthority;
let sp: IssuedCredential;
let directory: string;

beforeAll(() => {
  root = createCertificateAuthority({ commonName: 'Test Root CA', organization: 'OpenAos' });
  issuing = createCertificateAuthority({ commonName: 'Test SP Issuing CA', organization: 'OpenAos', issuer: root });
  sp = issueUserCredential(issuing, { commonName: 'alice', organization: 'cloud.example', role: 'sp' });
  directory = makeTempDirectory();
});

describe('PKCS#12 written by us', () => {
  test('round-trips: key, leaf and chain (issuer first)', () => {
    const credential = readPkcs12(sp.pkcs12);
    expect(credential.certificate.raw.equals(new X509Certificate(sp.certificatePem).raw)).toBe(true);
    expect(credential.certificate.checkPrivateKey(credential.privateKey)).toBe(true);
    expect(credential.chain.map((certificate) => certificate.subject)).toEqual([
      new X509Certificate(issuing.certificatePem).subject,
      new X509Certificate(root.certificatePem).subject,
    ]);
  });

  test('openssl 3 reads it with an empty password and without -legacy', () => {
    const path = join(directory, 'sp.p12');
    writeFileSync(path, sp.pkcs12);
    const info = runOpenssl(['pkcs12', '-in', path, '-passin', 'pass:', '-nodes', '-info']);
    expect(info).toContain('AES-256-CBC');
    expect(info).toContain('BEGIN PRIVATE KEY');
    expect(info.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    expect(info).toContain('subject=CN = alice, O = cloud.example, OU = Service Provider');
  });

  test.runIf(hasPythonCryptography())(
    'Python cryptography reads it with password b"" and None, as aos-signer and aos-keys do',
    () => {
      const path = join(directory, 'sp-python.p12');
      writeFileSync(path, sp.pkcs12);
      const output = runPython(
        `import sys
from cryptography.hazmat.primitives.serialization import pkcs12
data = open(sys.argv[1], 'rb').read()
for password in (b'', None):
    key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    print(key.key_size, cert.subject.rfc4514_string(), len(extra))`,
        [path],
      );
      expect(output.trim().split('\n')).toEqual([
        '2048 OU=Service Provider,O=cloud.example,CN=alice 2',
        '2048 OU=Service Provider,O=cloud.example,CN=alice 2',
      ]);
    },
  );

  test('a password-protected bundle needs its password', () => {
    const protectedP12 = writePkcs12(sp.privateKeyPem, [sp.certificatePem], 'secret');
    expect(readPkcs12(protectedP12, 'secret').certificate.subject).toContain('CN=alice');
    expect(() => readPkcs12(protectedP12)).toThrow(expect.objectContaining({ code: 'bad-pkcs12' }) as Error);
    expect(() => readPkcs12(protectedP12)).toThrow(/password/);
  });

  test("is read with node's crypto; forge's decoder (pure-JS PBKDF2 and AES) reads only what that does not", () => {
    const decode = vi.spyOn(forge.pkcs12, 'pkcs12FromAsn1');
    try {
      const protectedP12 = writePkcs12(sp.privateKeyPem, [sp.certificatePem, ...sp.chainPem], 'secret');
      const native = [readPkcs12(sp.pkcs12), readPkcs12(protectedP12, 'secret')];
      expect(decode).not.toHaveBeenCalled();
      for (const credential of native) {
        expect(credential.certificate.fingerprint256).toBe(sp.fingerprint256);
        expect(credential.certificate.checkPrivateKey(credential.privateKey)).toBe(true);
        expect(credential.chain).toHaveLength(2);
      }
      // A wrong password fails the MAC: forge reads the file again and says what is wrong.
      expect(() => readPkcs12(protectedP12, 'wrong')).toThrow(/password/);
      expect(decode).toHaveBeenCalledTimes(1);
    } finally {
      decode.mockRestore();
    }
  });

  test('garbage is refused with bad-pkcs12', () => {
    expect(() => readPkcs12(Buffer.from('not a pkcs12 file'))).toThrow(PkiError);
  });
});

describe('PKCS#12 written by openssl', () => {
  function exportWithOpenssl(name: string, password: string, extraArgs: string[] = []): Buffer {
    const keyPath = join(directory, `${name}.key`);
    const certificatePath = join(directory, `${name}.crt`);
    const chainPath = join(directory, `${name}-chain.crt`);
    const outputPath = join(directory, `${name}.p12`);
    writeFileSync(keyPath, sp.privateKeyPem);
    writeFileSync(certificatePath, sp.certificatePem);
    writeFileSync(chainPath, sp.chainPem.join(''));
    runOpenssl([
      'pkcs12',
      '-export',
      '-inkey',
      keyPath,
      '-in',
      certificatePath,
      '-certfile',
      chainPath,
      '-passout',
      `pass:${password}`,
      '-out',
      outputPath,
      ...extraArgs,
    ]);
    return readFileSync(outputPath);
  }

  test('default openssl 3 export (PBES2/AES-256, SHA-256 MAC) with an empty password', () => {
    const credential = readPkcs12(exportWithOpenssl('openssl-default', ''));
    expect(credential.certificate.fingerprint256).toBe(sp.fingerprint256);
    expect(credential.chain).toHaveLength(2);
    expect(credential.certificate.checkPrivateKey(credential.privateKey)).toBe(true);
  });

  test('openssl export with a password', () => {
    const der = exportWithOpenssl('openssl-password', 'pa55');
    expect(readPkcs12(der, 'pa55').certificate.fingerprint256).toBe(sp.fingerprint256);
    expect(() => readPkcs12(der, 'wrong')).toThrow(expect.objectContaining({ code: 'bad-pkcs12' }) as Error);
  });
});

describe.runIf(hasPythonCryptography())(
  'PKCS#12 written by Python cryptography (as aos-keys writes user credentials)',
  () => {
    test.each([
      ['NoEncryption()', ''],
      ["BestAvailableEncryption(b'pw')", 'pw'],
    ])('%s', (encryption, password) => {
      const path = join(directory, `python-${password || 'none'}.p12`);
      runPython(
        `import sys
from cryptography.hazmat.primitives.serialization import pkcs12, load_pem_private_key, NoEncryption, BestAvailableEncryption
from cryptography import x509
key = load_pem_private_key(open(sys.argv[1], 'rb').read(), None)
cert = x509.load_pem_x509_certificate(open(sys.argv[2], 'rb').read())
chain = [x509.load_pem_x509_certificate(open(sys.argv[3], 'rb').read())]
open(sys.argv[4], 'wb').write(pkcs12.serialize_key_and_certificates(b'alice', key, cert, chain, ${encryption}))`,
        [
          writeTemp('python.key', sp.privateKeyPem),
          writeTemp('python.crt', sp.certificatePem),
          writeTemp('python-ca.crt', issuing.certificatePem),
          path,
        ],
      );
      const credential = readPkcs12(readFileSync(path), password);
      expect(credential.certificate.fingerprint256).toBe(sp.fingerprint256);
      expect(credential.chain.map((certificate) => certificate.subject)).toEqual([
        new X509Certificate(issuing.certificatePem).subject,
      ]);
    });
  },
);

function writeTemp(name: string, content: string): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}
