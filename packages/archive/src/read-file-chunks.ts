import { closeSync, constants, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { ArchiveError } from './archive-error.js';

/** Files up to this size are read in one blocking call: cheaper than three trips to the thread pool. */
const SMALL_FILE_BYTES = 256 * 1024;
/** Read size for larger files: few syscalls, flat memory. */
const CHUNK_BYTES = 1024 * 1024;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;

/**
 * The first `size` bytes of a file (the size seen when scanning), in chunks. Opened with
 * O_NOFOLLOW so a file swapped for a symlink after the scan is not followed. A file that
 * shrank yields fewer bytes, which the tar writer reports; growth past `size` is not read
 * (as GNU tar, the archive holds the file as scanned).
 *
 * Small files are read synchronously: for trees of many small files the thread-pool round
 * trips (open, read, read-to-EOF, close) cost more than the reads themselves.
 */
export async function* readFileChunks(path: string, size: number, entryName: string): AsyncGenerator<Buffer> {
  if (size <= SMALL_FILE_BYTES) {
    yield readSmallFile(path, size, entryName);
    return;
  }
  const handle = await open(path, OPEN_FLAGS).catch((error: unknown) => {
    throw openError(entryName, error);
  });
  try {
    let position = 0;
    while (position < size) {
      const length = Math.min(CHUNK_BYTES, size - position);
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Read a small file straight into `target` (its first `target.length` bytes), blocking: the
 * caller's buffer is filled in place, with no buffer of its own. Returns the bytes read
 * (fewer when the file shrank). Opened with O_NOFOLLOW, as readFileChunks.
 */
export function readSmallFileInto(path: string, target: Buffer, entryName: string): number {
  let descriptor: number;
  try {
    descriptor = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw openError(entryName, error);
  }
  try {
    let position = 0;
    while (position < target.length) {
      const bytesRead = readSync(descriptor, target, position, target.length - position, position);
      if (bytesRead === 0) break;
      position += bytesRead;
    }
    return position;
  } finally {
    closeSync(descriptor);
  }
}

function readSmallFile(path: string, size: number, entryName: string): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  const bytesRead = readSmallFileInto(path, buffer, entryName);
  return bytesRead === size ? buffer : buffer.subarray(0, bytesRead);
}

function openError(entryName: string, error: unknown): ArchiveError {
  return new ArchiveError(
    'file-changed',
    `packing ${entryName}: cannot open it (${(error as Error).message}); was it removed or replaced while packing?`,
    {
      entry: entryName,
      cause: error,
    },
  );
}
