import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadCredential, readPemCertificates, verifyCertificateChain } from '@openaos/pki';
import { aosHomePaths, defaultPkcs12Name } from '../aos-home.js';
import { summarizeCertificate, type CertificateSummary } from '../certificate-summary.js';
import { CliError } from '../errors.js';

export interface ShowCredentialsOptions {
  aosHome: string;
  /** A .p12 (or PEM key with `certificatePath`); default <AOS_HOME>/security/aos-user-<role>.p12. */
  path?: string;
  role?: 'sp' | 'oem';
  password?: string;
}

export interface ShowCredentialsResult {
  path: string;
  certificate: CertificateSummary;
  /** Certificates above the leaf in the file (issuing CA first). */
  chain: CertificateSummary[];
  /** Whether the certificate chains to the local dev CA (absent when there is no dev CA). */
  issuedByDevCa?: boolean;
  /** The certificate is within its validity period now. */
  currentlyValid: boolean;
}

/** Print what a credential is: subject, issuer, aos-signer key id, validity, chain. */
export async function runCredentialsShow(options: ShowCredentialsOptions): Promise<ShowCredentialsResult> {
  const paths = aosHomePaths(options.aosHome);
  const path = options.path ? resolve(options.path) : join(paths.securityDir, defaultPkcs12Name(options.role ?? 'sp'));
  const action = `reading credential ${path}`;
  let credential;
  try {
    credential = await loadCredential(path, options.password !== undefined ? { password: options.password } : {});
  } catch (error) {
    const missing =
      (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as { code?: string }).code === 'not-found';
    throw new CliError(missing ? 'not-found' : 'failed', action, (error as Error).message, {
      cause: error,
      hint: missing
        ? 'create one with `aos credentials dev`, or pass the path of a .p12'
        : 'the file must be a PKCS#12 with an empty password',
    });
  }
  const now = new Date();
  const leaf = credential.certificate;
  const result: ShowCredentialsResult = {
    path,
    certificate: summarizeCertificate(leaf),
    chain: credential.chain.map(summarizeCertificate),
    currentlyValid: new Date(leaf.validFrom) <= now && now <= new Date(leaf.validTo),
  };
  const devCaPem = await readFile(paths.devCaCertificate, 'utf8').catch(() => undefined);
  if (devCaPem !== undefined) {
    const roots: X509Certificate[] = readPemCertificates(devCaPem);
    try {
      verifyCertificateChain(leaf, credential.chain, roots, now);
      result.issuedByDevCa = true;
    } catch {
      result.issuedByDevCa = false;
    }
  }
  return result;
}
