/** Why a service package could not be built, read or trusted. */
export type PackageErrorCode =
  | 'bad-layout'
  | 'hash-mismatch'
  | 'bad-signature'
  | 'untrusted-signer'
  | 'missing-state'
  | 'symlink'
  | 'invalid-config'
  | 'unsafe-archive'
  | 'corrupt'
  | 'not-found'
  | 'write-failed';

/** The one error class of @openaos/service-package. `entry` names the file concerned, when there is one. */
export class PackageError extends Error {
  override readonly name = 'PackageError';
  readonly code: PackageErrorCode;
  readonly entry?: string;

  constructor(code: PackageErrorCode, message: string, options: { entry?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.entry !== undefined) this.entry = options.entry;
  }
}
