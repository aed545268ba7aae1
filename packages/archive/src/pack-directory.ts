import type { Readable } from 'node:stream';
import type { TarWriter } from './create-tar-writer.js';
import type { DirectoryEntry, SymlinkPolicy } from './scan-directory.js';

export interface PackDirectoryOptions {
  /** Path prefix of every entry, e.g. "service/" or "./service/". */
  prefix?: string;
  symlinks?: SymlinkPolicy;
  /** mtime of every entry (default DEFAULT_MTIME). */
  mtime?: Date;
  /** Called after each file's content has been written. */
  onFile?: (path: string, size: number) => void;
}

/**
 * A deterministic tar of a folder (sorted, fixed mtime, uid/gid 0, modes normalised) as a stream.
 * Errors (symlink under 'raise', special file, file changed while packing) destroy the stream.
 */
export function packDirectory(directory: string, options: PackDirectoryOptions = {}): Readable {
  void directory;
  void options;
  throw new Error('packDirectory: not implemented yet');
}

/** Add scanned entries to a writer, names prefixed, file contents streamed from disk. */
export async function addDirectoryEntries(
  writer: TarWriter,
  entries: Iterable<DirectoryEntry>,
  options: { prefix?: string; mtime?: Date; onFile?: (path: string, size: number) => void } = {},
): Promise<void> {
  void writer;
  void entries;
  void options;
  throw new Error('addDirectoryEntries: not implemented yet');
}
