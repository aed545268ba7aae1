import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
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
