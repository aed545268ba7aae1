import { randomBytes, X509Certificate } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueDesiredStatusSigner, readPemCredential, type CertificateAuthority, type Credential } from '@openaos/pki';

/** The signer's key and certificate chain, in one file next to the CA (0600: it holds the key). */
export const DESIRED_STATUS_SIGNER_FILE = 'desired-status-signer.pem';
/** A signer that expires within this many days is replaced at start. */
const RENEW_BEFORE_DAYS = 30;

/**
 * The cloud's desired-status signer from `<caDirectory>/desired-status-signer.pem`, issued by the
 * CA on first start (and again when it nears its end). The file is written under a temporary
 * name and hard-linked into place, so two processes starting at once on one data directory end
 * with the same signer: the second link fails and that process reads the first one's file.
 */
export async function loadOrCreateDesiredStatusSigner(
  caDirectory: string,
  ca: CertificateAuthority,
): Promise<Credential> {
  const path = join(caDirectory, DESIRED_STATUS_SIGNER_FILE);
  const existing = await readSigner(path);
  if (existing && !isNearExpiry(existing.certificate)) return existing;
  const issued = issueDesiredStatusSigner(ca);
  const text = [issued.privateKeyPem, issued.certificatePem, ...issued.chainPem].join('\n');
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  try {
    if (existing) await rm(path, { force: true });
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temporary, { force: true });
  }
  const stored = await readSigner(path);
  if (!stored) throw new Error(`loading the desired-status signer: ${path} vanished while it was written`);
  return stored;
}

async function readSigner(path: string): Promise<Credential | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return readPemCredential(text, text);
}

function isNearExpiry(certificate: X509Certificate): boolean {
  return new Date(certificate.validTo).getTime() - Date.now() < RENEW_BEFORE_DAYS * 24 * 3600 * 1000;
}
