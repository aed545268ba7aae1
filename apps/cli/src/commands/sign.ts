import { dirname, join, resolve } from 'node:path';
import { isErrorProblem } from '@openaos/config';
import { buildServicePackage, type BuildProgress } from '@openaos/service-package';
import { summarizeCertificate, type CertificateSummary } from '../certificate-summary.js';
import { CliError } from '../errors.js';
import { displayPath } from '../display-path.js';
import { locationOf, type ServiceLocation } from '../service-folder.js';
import { resolveSigningCredential } from '../signing-credential.js';
import { runValidate } from './validate.js';

export interface SignOptions extends ServiceLocation {
  /** Root of the user's Aos files (AOS_HOME): `security/` is searched for credentials. */
  aosHome: string;
  /** `-p, --pkcs12`: use this PKCS#12 instead of the one the config names. */
  pkcs12?: string;
  /** Password of the PKCS#12 (aos-signer uses an empty one). */
  password?: string;
  /** Where to write the package (default `<service>/<build.package_folder>/service.tar.gz`). */
  output?: string;
  /** The signing time recorded in the package (SOURCE_DATE_EPOCH); default now. */
  signedAt?: Date | undefined;
  onProgress?: (progress: BuildProgress) => void;
}

export interface SignResult {
  path: string;
  size: number;
  sha256: string;
  /** SHA3-512 of the whole package (package.sign itself uses SHA3-512 of its parts). */
  sha3_512: string;
  serviceUid: string;
  version: string;
  /** The parts package.sign covers: inner service.tar.gz and config.yaml. */
  files: { name: string; hash: string; size: number }[];
  credentialPath: string;
  signer: CertificateSummary;
}

/** Validate the config as for signing, then build and sign service.tar.gz (aos-signer layout). */
export async function runSign(options: SignOptions): Promise<SignResult> {
  const validation = await runValidate({ ...locationOf(options), forSigning: true });
  const config = validation.config;
  if (!validation.valid || !config) {
    const errors = validation.problems.filter(isErrorProblem);
    throw new CliError(
      'invalid-config',
      'validating the service config',
      `${errors.length} problem(s) in ${displayPath(validation.configPath)}`,
      {
        problems: validation.problems,
        hint: 'fix the problems listed and run `aos sign` again (`aos validate` checks without signing)',
      },
    );
  }
  const folder = { serviceDir: validation.serviceDir, metaDir: dirname(validation.configPath) };
  // The package builder reads <service>/meta/config.yaml; a config elsewhere would be
  // validated here but not be the one signed.
  if (validation.configPath !== join(folder.serviceDir, 'meta', 'config.yaml')) {
    throw new CliError(
      'usage',
      'signing the service',
      `--config must be <service>/meta/config.yaml (got ${validation.configPath})`,
      {
        hint: 'move the config to meta/config.yaml, or pass -C <service folder>',
      },
    );
  }
  const resolved = await resolveSigningCredential({
    config,
    metaDir: folder.metaDir,
    aosHome: options.aosHome,
    ...(options.pkcs12 !== undefined ? { pkcs12Override: options.pkcs12 } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
  });
  let built;
  try {
    built = await buildServicePackage({
      serviceDir: folder.serviceDir,
      credential: resolved.credential,
      ...(options.output ? { outputPath: resolve(options.output) } : {}),
      ...(options.signedAt ? { signedAt: options.signedAt } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } catch (error) {
    throw new CliError('failed', 'building the service package', (error as Error).message, {
      cause: error,
      hint: 'check that the source folder exists and is readable and that the package folder is writable',
    });
  }
  return {
    path: built.path,
    size: built.size,
    // Hashed by the packager as it wrote the file: no second read of the package.
    sha256: built.digests.sha256,
    sha3_512: built.digests.sha3_512,
    serviceUid: built.config.publish.service_uid ?? '',
    version: built.config.publish.version ?? '',
    files: built.files,
    credentialPath: resolved.path,
    signer: summarizeCertificate(resolved.credential.certificate),
  };
}
