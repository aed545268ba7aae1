/** What to do with symlinks in a source folder (aos-signer's build.symlinks). */
export type SymlinkPolicy = 'copy' | 'delete' | 'raise';

/** One item of a source folder, in archive order. */
export interface DirectoryEntry {
  /** Relative POSIX path inside the scanned folder ("bin/app"). */
  name: string;
  /** Absolute path on disk. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  size: number;
  /** Normalised mode: 0o755 for directories and executables, 0o644 otherwise, 0o777 for symlinks. */
  mode: number;
  linkname?: string;
}

export interface ScanDirectoryOptions {
  symlinks?: SymlinkPolicy;
}

/**
 * Walk a folder in sorted (byte) order, parents before children, applying the symlink policy
 * and refusing special files. Stats only; contents are read when packing.
 */
export async function scanDirectory(directory: string, options: ScanDirectoryOptions = {}): Promise<DirectoryEntry[]> {
  void directory;
  void options;
  throw new Error('scanDirectory: not implemented yet');
}
