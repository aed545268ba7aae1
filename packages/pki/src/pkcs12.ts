import {
  createHash,
  createHmac,
  createPrivateKey,
  timingSafeEqual,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import forge from 'node-forge';
import { PkiError } from './errors.js';
import { orderChain } from './order-chain.js';
import type { Credential } from './types.js';

/**
 * Write a PKCS#12 holding the key, the leaf certificate and its chain.
 * PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for the key, so OpenSSL 3 reads it without `-legacy`;
 * certificates are not encrypted (aos-signer and `openssl pkcs12` read them as is).
 * The default password is empty, which is how aos-signer and aos-keys read user credentials.
 */
export function writePkcs12(
  privateKeyPem: string,
  certificatePems: string[],
  password = '',
  options: { friendlyName?: string } = {},
): Buffer {
  const key = forge.pki.privateKeyFromPem(privateKeyPem);
  const certificates = certificatePems.map((pem) => forge.pki.certificateFromPem(pem));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certificates, password, {
    algorithm: 'aes256',
    prfAlgorithm: 'sha256',
    count: 2048,
    saltSize: 16,
    ...(options.friendlyName !== undefined && { friendlyName: options.friendlyName }),
  } as Parameters<typeof forge.pkcs12.toPkcs12Asn1>[3]);
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/**
 * Read a PKCS#12 (DER) into a {@link Credential}. The password defaults to empty (aos-signer's
 * convention). The leaf is the certificate that matches the private key; the others form the
 * chain, issuer first.
 */
export function readPkcs12(der: Buffer, password = ''): Credential {
  const native = readPkcs12Natively(der, password);
  if (native) return toCredential(native.keys, native.certificates);
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (error) {
    const reason = (error as Error).message;
    const hint = /MAC|password/i.test(reason)
      ? password === ''
        ? 'the file is protected by a password; pass it explicitly'
        : 'check the password'
      : 'check that the file is a PKCS#12 (.p12/.pfx) bundle';
    throw new PkiError('bad-pkcs12', `reading PKCS#12: ${reason} (${hint})`, { cause: error });
  }

  const keys: KeyObject[] = [];
  for (const bagType of [forge.pki.oids.pkcs8ShroudedKeyBag, forge.pki.oids.keyBag]) {
    for (const bag of p12.getBags({ bagType: bagType as string })[bagType as string] ?? []) keys.push(toNodeKey(bag));
  }
  const certificates = (
    p12.getBags({ bagType: forge.pki.oids.certBag as string })[forge.pki.oids.certBag as string] ?? []
  ).map(toNodeCertificate);
  return toCredential(keys, certificates);
}

function toCredential(keys: KeyObject[], certificates: X509Certificate[]): Credential {
  const privateKey = keys[0];
  if (!privateKey || keys.length > 1) {
    throw new PkiError(
      'bad-pkcs12',
      `reading PKCS#12: expected exactly one private key, found ${keys.length} (export the credential with its key)`,
    );
  }
  const leafIndex = certificates.findIndex((certificate) => certificate.checkPrivateKey(privateKey));
  const leaf = certificates[leafIndex];
  if (!leaf) {
    throw new PkiError(
      'key-mismatch',
      'reading PKCS#12: no certificate in the bundle matches its private key (export the key with its own certificate)',
    );
  }
  const others = certificates.filter((_, index) => index !== leafIndex);
  return { privateKey, certificate: leaf, chain: orderChain(leaf, others) };
}

function toNodeKey(bag: forge.pkcs12.Bag): KeyObject {
  try {
    if (bag.key) return createPrivateKey(forge.pki.privateKeyToPem(bag.key));
    // forge only models RSA keys; others come back as PrivateKeyInfo ASN.1 that node can read.
    if (bag.asn1)
      return createPrivateKey({
        key: Buffer.from(forge.asn1.toDer(bag.asn1).getBytes(), 'binary'),
        format: 'der',
        type: 'pkcs8',
      });
  } catch (error) {
    throw new PkiError('bad-pkcs12', `reading PKCS#12: cannot read the private key (${(error as Error).message})`, {
      cause: error,
    });
  }
  throw new PkiError('bad-pkcs12', 'reading PKCS#12: a key bag holds no key');
}

function toNodeCertificate(bag: forge.pkcs12.Bag): X509Certificate {
  const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
  if (!asn1) throw new PkiError('bad-pkcs12', 'reading PKCS#12: a certificate bag holds no certificate');
  try {
    return new X509Certificate(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
  } catch (error) {
    throw new PkiError('bad-pkcs12', `reading PKCS#12: cannot parse a certificate (${(error as Error).message})`, {
      cause: error,
    });
  }
}

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
};
/** MAC digests: node's name and the block size (bytes) the PKCS#12 key derivation works in. */
const MAC_DIGESTS: Record<string, { name: string; blockSize: number }> = {
  '1.3.14.3.2.26': { name: 'sha1', blockSize: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', blockSize: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', blockSize: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', blockSize: 128 },
};

/**
 * The PKCS#12 that we, OpenSSL 3 and the cloud write (unencrypted certificate bags, the key in a
 * PBES2 shrouded bag, an HMAC-SHA MAC), read with node's crypto: forge's pure-JS PBKDF2 and AES
 * cost ~0.1 s of CPU on every `aos` cloud call. Anything else (encrypted certificate bags, PBES1
 * ciphers, other bag types, a non-ASCII password, a MAC or key that does not check out) gives
 * undefined and {@link readPkcs12} reads the file with forge as before, errors included. Only
 * forge's ASN.1 reader is used here, as in distinguished-name.ts.
 */
function readPkcs12Natively(
  der: Buffer,
  password: string,
): { keys: KeyObject[]; certificates: X509Certificate[] } | undefined {
  // PBES2 takes the password as bytes: forge uses the string's char codes, node its UTF-8.
  if (!/^[\x20-\x7e]*$/.test(password)) return undefined;
  try {
    const { asn1 } = forge;
    const pfx = asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    const [version, authSafe, macData] = children(pfx);
    if (!version || !authSafe || asn1.derToInteger(version.value as string) !== 3) return undefined;
    const authSafeContent = dataContent(authSafe);
    if (authSafeContent === undefined) return undefined;
    if (macData && !isMacValid(macData, authSafeContent, password)) return undefined;

    const keys: KeyObject[] = [];
    const certificates: X509Certificate[] = [];
    for (const contentInfo of children(fromDer(authSafeContent))) {
      const safeContents = dataContent(contentInfo);
      if (safeContents === undefined) return undefined;
      for (const bag of children(fromDer(safeContents))) {
        const [bagId, wrappedValue] = children(bag);
        const value = wrappedValue && children(wrappedValue)[0];
        if (!bagId || !value) return undefined;
        const bagType = asn1.derToOid(bagId.value as string);
        if (bagType === OIDS.certBag) {
          const [certId, wrappedCertificate] = children(value);
          const certificate = wrappedCertificate && children(wrappedCertificate)[0];
          if (!certId || asn1.derToOid(certId.value as string) !== OIDS.x509Certificate) return undefined;
          if (!certificate || typeof certificate.value !== 'string') return undefined;
          certificates.push(new X509Certificate(Buffer.from(certificate.value, 'binary')));
        } else if (bagType === OIDS.pkcs8ShroudedKeyBag) {
          const [algorithm] = children(value);
          const algorithmId = algorithm && children(algorithm)[0];
          if (!algorithmId || asn1.derToOid(algorithmId.value as string) !== OIDS.pbes2) return undefined;
          keys.push(createPrivateKey({ key: toDer(value), format: 'der', type: 'pkcs8', passphrase: password }));
        } else if (bagType === OIDS.keyBag) {
          keys.push(createPrivateKey({ key: toDer(value), format: 'der', type: 'pkcs8' }));
        } else {
          return undefined;
        }
      }
    }
    return { keys, certificates };
  } catch {
    return undefined;
  }
}

function children(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] {
  return node && Array.isArray(node.value) ? node.value : [];
}

function fromDer(bytes: string): forge.asn1.Asn1 {
  return forge.asn1.fromDer(forge.util.createBuffer(bytes));
}

function toDer(node: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

/** The bytes of a ContentInfo of type data (one primitive OCTET STRING), else undefined. */
function dataContent(contentInfo: forge.asn1.Asn1): string | undefined {
  const [type, explicit] = children(contentInfo);
  if (!type || forge.asn1.derToOid(type.value as string) !== OIDS.data) return undefined;
  const octets = children(explicit)[0];
  return octets && octets.type === forge.asn1.Type.OCTETSTRING && typeof octets.value === 'string'
    ? octets.value
    : undefined;
}

/** MacData (RFC 7292 §4): HMAC over the authenticated safe, keyed by the PKCS#12 KDF of the password. */
function isMacValid(macData: forge.asn1.Asn1, content: string, password: string): boolean {
  const [digestInfo, salt, iterations] = children(macData);
  const [algorithm, digest] = children(digestInfo);
  const digestOid = children(algorithm)[0];
  const hash = digestOid && MAC_DIGESTS[forge.asn1.derToOid(digestOid.value as string)];
  if (!hash || !digest || typeof digest.value !== 'string' || !salt || typeof salt.value !== 'string') return false;
  const count = iterations ? forge.asn1.derToInteger(iterations.value as string) : 1;
  const expected = Buffer.from(digest.value, 'binary');
  const key = pkcs12Kdf(
    hash.name,
    hash.blockSize,
    password,
    Buffer.from(salt.value, 'binary'),
    3,
    count,
    expected.length,
  );
  const actual = createHmac(hash.name, key).update(Buffer.from(content, 'binary')).digest();
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * The PKCS#12 key derivation (RFC 7292 appendix B.2). The password is its UTF-16BE code units
 * and two zero bytes, so the empty password is 00 00 (as forge and OpenSSL read `""`).
 */
function pkcs12Kdf(
  hashName: string,
  blockSize: number,
  password: string,
  salt: Buffer,
  id: number,
  iterations: number,
  length: number,
): Buffer {
  const repeatToBlocks = (bytes: Buffer): Buffer => {
    const size = blockSize * Math.ceil(bytes.length / blockSize);
    const out = Buffer.alloc(size);
    for (let index = 0; index < size; index += 1) out[index] = bytes[index % bytes.length] ?? 0;
    return out;
  };
  const passwordBytes = Buffer.alloc(password.length * 2 + 2);
  for (let index = 0; index < password.length; index += 1)
    passwordBytes.writeUInt16BE(password.charCodeAt(index), index * 2);
  const input = Buffer.concat([
    salt.length > 0 ? repeatToBlocks(salt) : Buffer.alloc(0),
    repeatToBlocks(passwordBytes),
  ]);
  const diversifier = Buffer.alloc(blockSize, id);
  const output: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let block = createHash(hashName).update(diversifier).update(input).digest();
    for (let round = 1; round < iterations; round += 1) block = createHash(hashName).update(block).digest();
    output.push(block);
    produced += block.length;
    if (produced >= length) break;
    const b = repeatToBlocks(block);
    for (let offset = 0; offset < input.length; offset += blockSize) {
      let carry = 1;
      for (let index = blockSize - 1; index >= 0; index -= 1) {
        const sum = (input[offset + index] ?? 0) + (b[index] ?? 0) + carry;
        input[offset + index] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(output).subarray(0, length);
}
