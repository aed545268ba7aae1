/** What went wrong in the database layer. */
export type DbErrorCode = 'connect-failed' | 'migrate-failed' | 'bad-options';

/** The one error class of @openaos/db: a code to branch on and the underlying cause. */
export class DbError extends Error {
  override readonly name = 'DbError';
  constructor(
    readonly code: DbErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
