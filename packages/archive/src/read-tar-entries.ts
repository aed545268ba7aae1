import type { Readable } from 'node:stream';
import type { ArchiveLimits } from './limits.js';
import type { SafeEntry } from './safe-entry.js';

export interface ReadTarOptions {
  limits?: Partial<ArchiveLimits>;
  /** OCI whiteouts (".wh.*") are refused unless 'allow'. */
  whiteouts?: 'refuse' | 'allow';
  /**
   * Absolute symlink targets point outside the archive root and are refused unless 'allow'
   * (a container rootfs may want them: they resolve inside the container's root).
   */
  absoluteSymlinks?: 'refuse' | 'allow';
}

/**
 * Stream the entries of a tar (gzip detected by its magic bytes), refusing unsafe ones with an
 * ArchiveError naming the entry. Drain or ignore each body before asking for the next entry:
 * an unread body is skipped (and destroyed) when the next entry is requested.
 */
export async function* readTarEntries(source: Readable, options: ReadTarOptions = {}): AsyncGenerator<SafeEntry> {
  void source;
  void options;
  yield* [];
  throw new Error('readTarEntries: not implemented yet');
}
