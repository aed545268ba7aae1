import { X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { readPemCertificates, readPkcs12 } from '@openaos/pki';
import { aosHomePaths } from './aos-home.js';
import { CliError } from './errors.js';

/** The certificates a package may be verified against, and where each came from. */
export interface TrustSet {
  /** CA certificates: a signer chaining to one of them is trusted. */
  roots: X509Certificate[];
  /** Signer certificates trusted as they are (also used when a JWS has no x5c). */
  certificates: X509Certificate[];
  /** Files the trust came from, for the report. */
  sources: string[];
}

export interface TrustOptions {
  /** `--ca <pem>` files (each may hold several certificates). */
  caPaths?: string[];
  /** `--certificate <pem|p12>` signer certificates. */
  certificatePaths?: string[];
  /** Used for the default trust when no --ca/--certificate is given. */
  aosHome: string;
}

async function readCertificateFile(path: string, action: string): Promise<X509Certificate[]> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    throw new CliError('not-found', action, `reading ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const extension = extname(path).toLowerCase();
    if (extension === '.p12' || extension === '.pfx') return [readPkcs12(data, '').certificate];
    const text = data.toString('utf8');
    if (text.includes('-----BEGIN CERTIFICATE-----')) return readPemCertificates(text);
    return [new X509Certificate(data)]; // DER
  } catch (error) {
    throw new CliError('failed', action, `${path} holds no readable certificate: ${(error as Error).message}`, {
      cause: error,
      hint: 'pass a PEM or DER certificate, or a PKCS#12 with an empty password',
    });
  }
}

/**
 * Build the trust for verifying a package. Explicit `--ca`/`--certificate` replace the
 * default; the default is the local dev CA (<AOS_HOME>/dev-ca/ca.pem) and the CA of the cloud
 * `aos login` saw (<AOS_HOME>/cloud-ca.pem), if present, plus the
 * signer certificates of the .p12 files in <AOS_HOME>/security/ (your own credentials, so
 * your own packages verify). Unreadable default files are skipped: they are conveniences.
 */
export async function loadTrust(options: TrustOptions): Promise<TrustSet> {
  const action = 'loading trusted certificates';
  const trust: TrustSet = { roots: [], certificates: [], sources: [] };
  const explicit = (options.caPaths?.length ?? 0) + (options.certificatePaths?.length ?? 0) > 0;
  if (explicit) {
    for (const path of options.caPaths ?? []) {
      trust.roots.push(...(await readCertificateFile(path, action)));
      trust.sources.push(path);
    }
    for (const path of options.certificatePaths ?? []) {
      trust.certificates.push(...(await readCertificateFile(path, action)));
      trust.sources.push(path);
    }
    return trust;
  }
  const paths = aosHomePaths(options.aosHome);
  for (const caPath of [paths.devCaCertificate, paths.cloudCaCertificate]) {
    try {
      trust.roots.push(...readPemCertificates(await readFile(caPath, 'utf8')));
      trust.sources.push(caPath);
    } catch {
      // no such CA (no dev credentials made, never logged in): nothing to add
    }
  }
  const names = await readdir(paths.securityDir).catch(() => [] as string[]);
  for (const name of names.sort()) {
    if (!/\.(p12|pfx)$/i.test(name)) continue;
    const path = join(paths.securityDir, name);
    try {
      trust.certificates.push(readPkcs12(await readFile(path), '').certificate);
      trust.sources.push(path);
    } catch {
      // a p12 with a password or a broken file: not part of the default trust
    }
  }
  return trust;
}
