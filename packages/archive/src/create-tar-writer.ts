import type { Readable } from 'node:stream';
import type { SafeEntry } from './safe-entry.js';

export type TarWriterEntry = Omit<SafeEntry, 'body' | 'mtime' | 'uid' | 'gid'> & {
  body?: Readable | Buffer;
  mtime?: Date;
};

export interface TarWriterOptions {
  /** mtime of entries that do not give one (default DEFAULT_MTIME). */
  mtime?: Date;
}

export interface TarWriter {
  /** Append one entry; resolves when its body has been consumed. Call one at a time. */
  add(entry: TarWriterEntry): Promise<void>;
  /** Write the end-of-archive marker and end `stream`. */
  finish(): void;
  /** The tar bytes (uncompressed). */
  stream: Readable;
}

/** A deterministic tar writer: entries in the order added, uid/gid 0, no user/group names. */
export function createTarWriter(options: TarWriterOptions = {}): TarWriter {
  void options;
  throw new Error('createTarWriter: not implemented yet');
}
