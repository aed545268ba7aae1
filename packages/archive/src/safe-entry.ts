import type { Readable } from 'node:stream';

/** Entry types that survive validation; devices, fifos and the like are refused. */
export type SafeEntryType = 'file' | 'directory' | 'symlink' | 'hardlink';

/**
 * One validated archive entry. `name` is a normalised relative POSIX path: no leading "./",
 * no "//", no "." or ".." segment, no trailing "/". `mode` holds permission bits only
 * (0o1777 at most: setuid and setgid are always dropped).
 */
export interface SafeEntry {
  name: string;
  type: SafeEntryType;
  size: number;
  mode: number;
  mtime: Date;
  uid: number;
  gid: number;
  /** Symlink target (as written) or hard-link target (a normalised entry name). */
  linkname?: string;
  /** File content, present for type 'file' (possibly empty). */
  body?: Readable;
}
