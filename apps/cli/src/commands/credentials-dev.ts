import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueUserCredential, readPkcs12, type CertificateAuthority } from '@openaos/pki';
import { aosHomePaths, defaultPkcs12Name } from '../aos-home.js';
import { summarizeCertificate, type CertificateSummary } from '../certificate-summary.js';
import { CliError } from '../errors.js';

export interface DevCredentialsOptions {
  aosHome: string;
  /** Subject O of the issued certificate (default "OpenAos Dev"). */
  organization?: string;
  /** 'sp' signs and uploads services; 'oem' manages units and subjects. Default 'sp'. */
  role?: 'sp' | 'oem';
  /** Subject CN (default "<login name> (dev <role>)"). */
  commonName?: string;
  /** Replace an existing credential file. */
  force?: boolean;
}

export interface DevCredentialsResult {
  caCertificatePath: string;
  /** False when an existing dev CA was reused. */
  caCreated: boolean;
  pkcs12Path: string;
  certificate: CertificateSummary;
}

const DEV_CA_NAME = 'OpenAos Dev CA';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function loadOrCreateDevCa(
  aosHome: string,
  organization: string,
): Promise<{ ca: CertificateAuthority; created: boolean }> {
  const paths = aosHomePaths(aosHome);
  if ((await exists(paths.devCaCertificate)) && (await exists(paths.devCaKey))) {
    const ca = {
      certificatePem: await readFile(paths.devCaCertificate, 'utf8'),
      privateKeyPem: await readFile(paths.devCaKey, 'utf8'),
    };
    return { ca, created: false };
  }
  const ca = createCertificateAuthority({ commonName: DEV_CA_NAME, organization, organizationalUnit: 'Development' });
  // 0700/0600: the CA key can issue credentials every local verification trusts.
  await mkdir(paths.devCaDir, { recursive: true, mode: 0o700 });
  await writeFile(paths.devCaKey, ca.privateKeyPem, { mode: 0o600 });
  await writeFile(paths.devCaCertificate, ca.certificatePem, { mode: 0o600 });
  await chmod(paths.devCaKey, 0o600);
  await chmod(paths.devCaCertificate, 0o600);
  return { ca, created: true };
}

/**
 * Make local development credentials until a cloud issues real ones: a dev CA in
 * <AOS_HOME>/dev-ca/ (created once) and <AOS_HOME>/security/aos-user-<role>.p12 with an
 * empty password, where `aos sign` finds it. Refuses to replace an existing .p12 without force.
 */
export async function runCredentialsDev(options: DevCredentialsOptions): Promise<DevCredentialsResult> {
  const role = options.role ?? 'sp';
  const organization = options.organization ?? 'OpenAos Dev';
  const paths = aosHomePaths(options.aosHome);
  const pkcs12Path = join(paths.securityDir, defaultPkcs12Name(role));
  const action = `creating development credentials in ${options.aosHome}`;
  if (!options.force && (await exists(pkcs12Path))) {
    throw new CliError('exists', action, `${pkcs12Path} already exists`, {
      hint: 'keep using it (`aos credentials show`), or pass --force to replace it',
    });
  }
  try {
    const { ca, created } = await loadOrCreateDevCa(options.aosHome, organization);
    const commonName = options.commonName ?? `${safeUserName()} (dev ${role})`;
    const issued = issueUserCredential(ca, { commonName, organization, role });
    await mkdir(paths.securityDir, { recursive: true, mode: 0o700 });
    await writeFile(pkcs12Path, issued.pkcs12, { mode: 0o600 });
    await chmod(pkcs12Path, 0o600);
    return {
      caCertificatePath: paths.devCaCertificate,
      caCreated: created,
      pkcs12Path,
      certificate: summarizeCertificate(readPkcs12(issued.pkcs12, '').certificate),
    };
  } catch (error) {
    throw new CliError('failed', action, (error as Error).message, { cause: error });
  }
}

function safeUserName(): string {
  try {
    return userInfo().username || 'developer';
  } catch {
    return 'developer';
  }
}
