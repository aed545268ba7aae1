import type { Readable } from 'node:stream';
import { createTarWriter, MAX_SYNC_ENTRY_BYTES, type TarWriter } from './create-tar-writer.js';
import { readFileChunks, readSmallFileInto } from './read-file-chunks.js';
import { scanDirectory, type DirectoryEntry, type SymlinkPolicy } from './scan-directory.js';

export interface PackDirectoryOptions {
  /** Path prefix of every entry, e.g. "service/" or "./service/". With a prefix, the prefix folder itself is an entry. */
  prefix?: string;
  symlinks?: SymlinkPolicy;
  /** mtime of every entry (default DEFAULT_MTIME). */
  mtime?: Date;
  /** Called after each file's content has been written. */
  onFile?: (path: string, size: number) => void;
}

export interface AddDirectoryEntriesOptions {
  /** Prepended to every name (e.g. "./service/"); include the trailing "/". */
  prefix?: string;
  mtime?: Date;
  /** Called after each file's content has been written (name without prefix). */
  onFile?: (path: string, size: number) => void;
  /** Called as content bytes flow, with the count of new bytes. */
  onBytes?: (bytes: number) => void;
}

/**
 * A deterministic tar of a folder (sorted, fixed mtime, uid/gid 0, modes normalised) as a stream.
 * Errors (symlink under 'raise', special file, file changed while packing) destroy the stream.
 */
export function packDirectory(directory: string, options: PackDirectoryOptions = {}): Readable {
  const writer = createTarWriter(options.mtime === undefined ? {} : { mtime: options.mtime });
  const prefix = options.prefix ?? '';
  void (async () => {
    const entries = await scanDirectory(
      directory,
      options.symlinks === undefined ? {} : { symlinks: options.symlinks },
    );
    if (prefix !== '' && prefix !== './' && prefix !== '/') {
      await writer.add({ name: prefix, type: 'directory', size: 0, mode: 0o755 });
    }
    await addDirectoryEntries(writer, entries, {
      prefix,
      ...(options.mtime === undefined ? {} : { mtime: options.mtime }),
      ...(options.onFile === undefined ? {} : { onFile: options.onFile }),
    });
    writer.finish();
  })().catch((error: unknown) => {
    writer.stream.destroy(error as Error);
  });
  return writer.stream;
}

/**
 * Add scanned entries to a writer, names prefixed, file contents streamed from disk (opened
 * with O_NOFOLLOW, see readFileChunks).
 */
export async function addDirectoryEntries(
  writer: TarWriter,
  entries: Iterable<DirectoryEntry>,
  options: AddDirectoryEntriesOptions = {},
): Promise<void> {
  const prefix = options.prefix ?? '';
  for (const entry of entries) {
    const name = prefix + entry.name;
    const common = {
      name,
      size: entry.size,
      mode: entry.mode,
      ...(options.mtime === undefined ? {} : { mtime: options.mtime }),
    };
    // Small files, folders and links go through addSync: read straight into the tar batch, with
    // no promise or body stream per entry (a tree of thousands of small files spent more on
    // those than on reading). It returns a promise only when the reader is behind.
    let waiting: Promise<void> | undefined;
    if (entry.type === 'file' && entry.size > MAX_SYNC_ENTRY_BYTES) {
      await writer.add({
        ...common,
        type: 'file',
        body: readFileChunks(entry.path, entry.size, entry.name),
        ...(options.onBytes === undefined ? {} : { onData: options.onBytes }),
      });
    } else if (entry.type === 'file') {
      waiting = writer.addSync({ ...common, type: 'file' }, (target) =>
        readSmallFileInto(entry.path, target, entry.name),
      );
      options.onBytes?.(entry.size);
    } else if (entry.type === 'directory') {
      waiting = writer.addSync({ ...common, type: 'directory', size: 0 });
    } else {
      waiting = writer.addSync({ ...common, type: 'symlink', size: 0, linkname: entry.linkname ?? '' });
    }
    if (waiting !== undefined) await waiting;
    if (entry.type === 'file') options.onFile?.(entry.name, entry.size);
  }
}
