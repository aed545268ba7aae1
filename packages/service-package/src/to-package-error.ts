import { ArchiveError } from '@openaos/archive';
import { ConfigError, formatProblems } from '@openaos/config';
import { PackageError } from './package-error.js';

/** Wrap errors of the packages below in a PackageError with a code callers can branch on; the original stays the cause. */
export function toPackageError(error: unknown, doing: string): PackageError {
  if (error instanceof PackageError) return error;
  if (error instanceof ConfigError) {
    const details = error.problems.length > 0 ? `\n${formatProblems(error.problems)}` : '';
    return new PackageError('invalid-config', `${doing}: ${error.message}${details}`, { cause: error });
  }
  if (error instanceof ArchiveError) {
    const code = error.code === 'symlink' ? 'symlink' : error.code === 'corrupt' ? 'corrupt' : 'unsafe-archive';
    return new PackageError(code, `${doing}: ${error.message}`, {
      cause: error,
      ...(error.entry === undefined ? {} : { entry: error.entry }),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PackageError('write-failed', `${doing}: ${message}`, { cause: error });
}
