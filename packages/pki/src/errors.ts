/** What went wrong, for callers that branch on it (e.g. map to an HTTP status). */
export type PkiErrorCode =
  | 'bad-pkcs12'
  | 'bad-pem'
  | 'bad-key'
  | 'bad-certificate'
  | 'key-mismatch'
  | 'bad-signature'
  | 'bad-token'
  | 'unsupported-algorithm'
  | 'untrusted'
  | 'expired'
  | 'not-yet-valid'
  | 'not-found';

/** The one error class of @openaos/pki. `message` says what was being done and what to do next. */
export class PkiError extends Error {
  override readonly name = 'PkiError';
  readonly code: PkiErrorCode;

  constructor(code: PkiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
