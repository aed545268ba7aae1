/** Which check of a package failed, in words a person can act on. */
export type FailedCheck = 'archive' | 'layout' | 'hashes' | 'signature' | 'trust' | 'validity' | 'config';

export interface VerificationFailure {
  check: FailedCheck;
  /** The code of the error that stopped verification (PackageError, PkiError, ArchiveError...). */
  code: string;
  message: string;
  hint: string;
}

const CHECK_OF_CODE: Record<string, FailedCheck> = {
  'hash-mismatch': 'hashes',
  'bad-signature': 'signature',
  'bad-token': 'signature',
  'unsupported-algorithm': 'signature',
  'untrusted-signer': 'trust',
  untrusted: 'trust',
  'no-trust': 'trust',
  expired: 'validity',
  'not-yet-valid': 'validity',
  'invalid-config': 'config',
  'bad-layout': 'layout',
  'missing-state': 'layout',
  symlink: 'layout',
  'unsafe-archive': 'archive',
};

const HINT_OF_CHECK: Record<FailedCheck, string> = {
  archive: 'the file is not a readable service.tar.gz; sign the service again with `aos sign`',
  layout:
    'the archive is not in the aos-signer layout (config.yaml, package.sign, service.tar.gz); sign it again with `aos sign`',
  hashes: 'the package was changed after it was signed; sign it again, or get an untouched copy',
  signature: 'package.sign does not match the package or its certificate; sign it again',
  trust:
    "the signer's certificate does not chain to a trusted CA: pass --ca <ca.pem> or --certificate <signer.pem|.p12>",
  validity: "the signer's certificate is expired or not yet valid; sign with a current credential",
  config: 'the signed config.yaml is invalid; fix meta/config.yaml and sign again',
};

/** Describe the error that stopped verification; unknown codes count as a broken archive. */
export function describeVerificationFailure(error: unknown): VerificationFailure {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'corrupt';
  const check = CHECK_OF_CODE[code] ?? 'archive';
  const message = error instanceof Error ? error.message : String(error);
  return { check, code, message, hint: HINT_OF_CHECK[check] };
}

/** The failure reported when nothing is trusted: verification would prove nothing. */
export function noTrustFailure(): VerificationFailure {
  return {
    check: 'trust',
    code: 'no-trust',
    message: 'no trusted certificates: no --ca/--certificate given, no dev CA and no .p12 in the security folder',
    hint: HINT_OF_CHECK.trust,
  };
}
