import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { PkiError } from './errors.js';
import { orderChain } from './order-chain.js';
import { readPkcs12 } from './pkcs12.js';
import type { Credential } from './types.js';

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PRIVATE_KEY_PEM =
  /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

/** A certificate as PEM text. */
export function toPem(certificate: X509Certificate): string {
  return certificate.toString();
}

/** Every certificate in a PEM text, in file order. */
export function readPemCertificates(pem: string): X509Certificate[] {
  return (pem.match(CERTIFICATE_PEM) ?? []).map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new PkiError('bad-pem', `reading certificate #${index + 1} of a PEM file: ${(error as Error).message}`, {
        cause: error,
      });
    }
  });
}

/**
 * A credential from a PEM private key and PEM certificate(s) (aos-signer's legacy
 * `sign_key` + `sign_certificate`). The certificate text may hold the chain after the leaf;
 * the leaf is whichever certificate matches the key.
 */
export function readPemCredential(
  keyPem: string,
  certificatePem: string,
  options: { password?: string } = {},
): Credential {
  const keyBlock = keyPem.match(PRIVATE_KEY_PEM)?.[0];
  if (!keyBlock)
    throw new PkiError('bad-pem', 'reading PEM credential: no "BEGIN PRIVATE KEY" block found in the key file');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({
      key: keyBlock,
      ...(options.password !== undefined && { passphrase: options.password }),
    });
  } catch (error) {
    throw new PkiError(
      'bad-key',
      `reading PEM private key: ${(error as Error).message} (an encrypted key needs its password)`,
      { cause: error },
    );
  }
  const certificates = readPemCertificates(certificatePem);
  if (certificates.length === 0)
    throw new PkiError('bad-pem', 'reading PEM credential: no "BEGIN CERTIFICATE" block found in the certificate file');
  const leaf = certificates.find((certificate) => certificate.checkPrivateKey(privateKey));
  if (!leaf)
    throw new PkiError(
      'key-mismatch',
      'reading PEM credential: no certificate matches the private key (check that key and certificate belong together)',
    );
  return {
    privateKey,
    certificate: leaf,
    chain: orderChain(
      leaf,
      certificates.filter((certificate) => certificate !== leaf),
    ),
  };
}

/**
 * Load a credential from disk: a PKCS#12 (`.p12`/`.pfx`, or any file that is not PEM), or a PEM
 * key whose certificate is in `certificatePath` or in the same file (key + certificate + chain).
 */
export async function loadCredential(
  path: string,
  options: { certificatePath?: string; password?: string } = {},
): Promise<Credential> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    throw new PkiError(
      'not-found',
      `loading credential ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (check the path)`,
      { cause: error },
    );
  }
  const isPem = content.subarray(0, 4096).toString('latin1').includes('-----BEGIN');
  const extension = extname(path).toLowerCase();
  if (!isPem || extension === '.p12' || extension === '.pfx') {
    try {
      return readPkcs12(content, options.password ?? '');
    } catch (error) {
      if (error instanceof PkiError) error.message = `loading credential ${path}: ${error.message}`;
      throw error;
    }
  }
  const certificateText = options.certificatePath ? await readText(options.certificatePath) : content.toString('utf8');
  try {
    return readPemCredential(content.toString('utf8'), certificateText, {
      ...(options.password !== undefined && { password: options.password }),
    });
  } catch (error) {
    if (error instanceof PkiError) error.message = `loading credential ${path}: ${error.message}`;
    throw error;
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new PkiError(
      'not-found',
      `loading certificate ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (check the path)`,
      { cause: error },
    );
  }
}
