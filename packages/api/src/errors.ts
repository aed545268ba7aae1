/** What went wrong in a cloud operation; the transports map these to tRPC and HTTP codes in one place each. */
export type ApiErrorCode =
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'already-exists'
  | 'invalid-input'
  | 'delete-blocked'
  | 'version-not-newer'
  | 'package-invalid'
  | 'untrusted-signer'
  | 'wrong-signer'
  | 'service-mismatch'
  | 'payload-too-large'
  | 'image-build-failed'
  | 'rate-limited'
  | 'unit-offline'
  | 'unit-refused'
  | 'internal';

/** The one error class of @openaos/api. `details` carries machine-readable extras (e.g. config problems). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly details: Record<string, unknown> | undefined;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** The seconds a client should wait before retrying, for a `rate-limited` error (else undefined). */
export function readRetryAfterSeconds(error: unknown): number | undefined {
  if (!(error instanceof ApiError) || error.code !== 'rate-limited') return undefined;
  const seconds = error.details?.retryAfterSeconds;
  return typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : 1;
}
