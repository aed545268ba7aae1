/** What went wrong, as a stable string callers can switch on. */
export type ImageErrorCode =
  | 'invalid-digest'
  | 'digest-mismatch'
  | 'not-found'
  | 'bad-manifest'
  | 'bad-config'
  | 'unsupported-media-type'
  | 'whiteout'
  | 'unsafe-layer'
  | 'destination-exists'
  | 'too-large'
  | 'io';

/** The one error class of @openaos/image. `code` says what failed, `cause` keeps the original error. */
export class ImageError extends Error {
  override readonly name = 'ImageError';
  readonly code: ImageErrorCode;
  /** The layer entry a refusal is about (whiteout, unsafe path), when there is one. */
  readonly entry: string | undefined;

  constructor(code: ImageErrorCode, message: string, options: { cause?: unknown; entry?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.entry = options.entry;
  }
}

/** True when `error` is an ImageError, optionally with the given code. */
export function isImageError(error: unknown, code?: ImageErrorCode): error is ImageError {
  return error instanceof ImageError && (code === undefined || error.code === code);
}
