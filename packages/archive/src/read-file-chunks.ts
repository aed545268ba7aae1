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
 * Small files are read into slices of a shared slab rather than a buffer each: a tree of
 * thousands of small files otherwise makes as many ArrayBuffers, and the garbage collector
 * spends more time on them than the reads take. A slab is never reused (slices of it may still
 * be waiting in the tar writer's batch); a new one is taken when it is full.
 */
const SLAB_BYTES = 1024 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabUsed = 0;

function takeSlice(size: number): Buffer {
  if (size > SLAB_BYTES / 4) return Buffer.allocUnsafe(size);
  if (slabUsed + size > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const slice = slab.subarray(slabUsed, slabUsed + size);
  // Keep slices 8-byte aligned, as Buffer's own pool does.
  slabUsed += (size + 7) & ~7;
  return slice;
}

function readSmallFile(path: string, size: number, entryName: string): Buffer {
  let descriptor: number;
  try {
    descriptor = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw openError(entryName, error);
  }
  try {
    const buffer = takeSlice(size);
    let position = 0;
    while (position < size) {
      const bytesRead = readSync(descriptor, buffer, position, size - position, position);
      if (bytesRead === 0) break;
      position += bytesRead;
    }
    return position === size ? buffer : buffer.subarray(0, position);
  } finally {
    closeSync(descriptor);
  }
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
