import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, type CertificateAuthority, type Credential } from '@openaos/pki';
import { loadOrCreateDesiredStatusSigner } from './desired-status-signer.js';
import { ApiError } from './errors.js';

/**
 * The cloud's CA: issues user credentials and unit certificates; uploads, CLI tokens and unit
 * proofs must chain to it. The desired-status signer (a certificate of this CA) signs every
 * unit's desired status.
 */
export interface CloudAuthority {
  ca: CertificateAuthority;
  certificate: X509Certificate;
  desiredStatusSigner: Credential;
}

/**
 * Load the CA from `<dataDir>/ca/`, creating it on first start. The key file is 0600; whoever
 * holds it can mint credentials, so the data directory must be private to the cloud.
 */
export async function loadOrCreateAuthority(
  dataDir: string,
  options: { commonName?: string } = {},
): Promise<CloudAuthority & { created: boolean }> {
  const directory = join(dataDir, 'ca');
  const certificatePath = join(directory, 'ca.crt.pem');
  const keyPath = join(directory, 'ca.key.pem');
  try {
    const [certificatePem, privateKeyPem] = await Promise.all([
      readFile(certificatePath, 'utf8'),
      readFile(keyPath, 'utf8'),
    ]);
    const ca = { certificatePem, privateKeyPem };
    return {
      ca,
      certificate: new X509Certificate(certificatePem),
      desiredStatusSigner: await loadOrCreateDesiredStatusSigner(directory, ca),
      created: false,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ApiError('internal', `loading the cloud CA from ${directory}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  const ca = createCertificateAuthority({
    commonName: options.commonName ?? 'OpenAos Root CA',
    organization: 'OpenAos',
    validDays: 3650,
  });
  await mkdir(directory, { recursive: true, mode: 0o700 });
  // Key first, exclusive create: two processes starting at once cannot end with mismatched files.
  await writeFile(keyPath, ca.privateKeyPem, { mode: 0o600, flag: 'wx' });
  await writeFile(certificatePath, ca.certificatePem, { mode: 0o644, flag: 'wx' });
  return {
    ca,
    certificate: new X509Certificate(ca.certificatePem),
    desiredStatusSigner: await loadOrCreateDesiredStatusSigner(directory, ca),
    created: true,
  };
}
