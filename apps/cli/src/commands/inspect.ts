import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isErrorProblem, validateServiceConfig } from '@openaos/config';
import { verifyServicePackage } from '@openaos/service-package';
import { summarizeCertificate, type CertificateSummary } from '../certificate-summary.js';
import { CliError } from '../errors.js';
import { hashFile } from '../file-hashes.js';
import { readPackageClaims, type OuterEntry } from '../package-contents.js';
import { loadTrust, type TrustOptions } from '../trust.js';
import { describeVerificationFailure, noTrustFailure, type VerificationFailure } from '../verification-failure.js';

export interface InspectOptions extends TrustOptions {
  /** The signed package (service.tar.gz). */
  packagePath: string;
}

export interface InspectResult {
  path: string;
  size: number;
  sha256: string;
  sha3_512: string;
  /** True only if hashes, signature and the signer's chain to a trusted certificate all check out. */
  verified: boolean;
  /** Why it did not verify (absent when verified). */
  failure?: VerificationFailure;
  /** Entries of the outer archive with their SHA3-512. */
  contents: OuterEntry[];
  /** What package.sign vouches for. */
  signedFiles: { name: string; hash: string; size: number }[];
  keyId?: string;
  signer?: CertificateSummary;
  service?: { serviceUid?: string; version?: string; cmd?: string | string[]; arch?: string; configValid: boolean };
  /** Files of the service tree (the container rootfs), when verified. */
  serviceFiles?: { name: string; type: string; size: number }[];
  /** Whether the package ships default_state.dat, when verified. */
  hasDefaultState?: boolean;
  created?: string;
  /** Where the trusted certificates came from. */
  trustSources: string[];
}

/**
 * Show what a package contains and whether it verifies. A package that does not verify is a
 * result (verified: false, failure says which check), not an exception; a missing file
 * throws CliError('not-found').
 */
export async function runInspect(options: InspectOptions): Promise<InspectResult> {
  const path = resolve(options.packagePath);
  const action = `inspecting ${options.packagePath}`;
  const info = await stat(path).catch((error: unknown) => {
    throw new CliError('not-found', action, `${path}: ${(error as Error).message}`, { cause: error });
  });
  if (!info.isFile()) throw new CliError('not-found', action, `${path} is not a file`);
  const trust = await loadTrust(options);
  const [hashes, claims] = await Promise.all([hashFile(path), readPackageClaims(path)]);

  const result: InspectResult = {
    path,
    size: hashes.size,
    sha256: hashes.sha256,
    sha3_512: hashes.sha3_512,
    verified: false,
    contents: claims.entries,
    signedFiles: claims.signedFiles,
    trustSources: trust.sources,
  };
  if (claims.keyId !== undefined) result.keyId = claims.keyId;
  if (claims.signerCertificate) result.signer = summarizeCertificate(claims.signerCertificate);
  if (claims.configText !== undefined) {
    try {
      const { config, problems } = validateServiceConfig(claims.configText, { file: 'config.yaml' });
      result.service = {
        configValid: config !== undefined && !problems.some(isErrorProblem),
        ...(config?.publish.service_uid ? { serviceUid: config.publish.service_uid } : {}),
        ...(config?.publish.version ? { version: config.publish.version } : {}),
        ...(config?.configuration.cmd ? { cmd: config.configuration.cmd } : {}),
        ...(config?.build.arch ? { arch: config.build.arch } : {}),
      };
    } catch {
      result.service = { configValid: false };
    }
  }

  if (trust.roots.length === 0 && trust.certificates.length === 0) {
    result.failure = noTrustFailure();
    return result;
  }
  let verified;
  try {
    verified = await verifyServicePackage(path, {
      trust: { roots: trust.roots, certificates: trust.certificates },
      requireTrust: true,
    });
  } catch (error) {
    result.failure = describeVerificationFailure(error);
    return result;
  }
  try {
    result.verified = true;
    result.signer = summarizeCertificate(verified.signer.certificate);
    result.keyId = verified.signer.keyId;
    result.signedFiles = verified.files;
    result.created = verified.created;
    result.hasDefaultState = verified.hasDefaultState;
    const serviceFiles: { name: string; type: string; size: number }[] = [];
    for await (const entry of verified.serviceEntries()) {
      serviceFiles.push({ name: entry.name, type: entry.type, size: entry.size });
      if (entry.body) for await (const _chunk of entry.body) void _chunk; // drain: the reader needs it
    }
    result.serviceFiles = serviceFiles;
  } finally {
    await verified.close();
  }
  return result;
}
