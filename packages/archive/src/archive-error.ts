/** Why an archive was refused or could not be read or written. */
export type ArchiveErrorCode =
  | 'entry-escapes'
  | 'absolute-path'
  | 'link-escapes'
  | 'special-file'
  | 'whiteout'
  | 'too-many-entries'
  | 'entry-too-large'
  | 'total-too-large'
  | 'compression-ratio'
  | 'archive-too-large'
  | 'corrupt'
  | 'duplicate-entry'
  | 'symlink'
  | 'file-changed'
  | 'write-failed';

/**
 * The one error class of @openaos/archive. `entry` names the archive entry (or source file)
 * that was refused, when there is one.
 */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  readonly code: ArchiveErrorCode;
  readonly entry?: string;

  constructor(code: ArchiveErrorCode, message: string, options: { entry?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.entry !== undefined) this.entry = options.entry;
  }
}
