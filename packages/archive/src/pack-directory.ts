import type { Readable } from 'node:stream';
import { createTarWriter, type TarWriter } from './create-tar-writer.js';
import { readFileChunks } from './read-file-chunks.js';
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
    if (entry.type === 'file') {
      const body = readFileChunks(entry.path, entry.size, entry.name);
      await writer.add({
        ...common,
        type: 'file',
        body,
        ...(options.onBytes === undefined ? {} : { onData: options.onBytes }),
      });
      options.onFile?.(entry.name, entry.size);
    } else if (entry.type === 'directory') {
      await writer.add({ ...common, type: 'directory', size: 0 });
    } else {
      await writer.add({ ...common, type: 'symlink', size: 0, linkname: entry.linkname ?? '' });
    }
  }
}
