import { createReadStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BlobStore } from '@openaos/image';

/**
 * Where the cloud keeps packages and image blobs, addressed by `sha256:<hex>`. The disk store is
 * the default; an S3-compatible store can implement the same five calls later.
 */
export interface BlobStorage {
  /** Store content, checking it against `expected` before it becomes visible. */
  put(
    source: Readable | Buffer,
    expected?: { digest?: string; size?: number },
  ): Promise<{ digest: string; size: number }>;
  /** A stream that fails at its end if the stored bytes no longer match the digest. */
  get(digest: string): Readable;
  /** Bytes `start` to `end` (inclusive) of a blob, unchecked (a resumed download; the reader checks the whole). */
  getRange(digest: string, start: number, end: number): Readable;
  has(digest: string): Promise<boolean>;
  remove(digest: string): Promise<void>;
  /** Size in bytes, or undefined when absent. */
  sizeOf(digest: string): Promise<number | undefined>;
  /**
   * Remove what puts that never finished left behind (a process killed while copying) and that
   * was not written to since `idleSince`. A put in progress keeps writing, so it is not touched.
   */
  removeStaleTemporaries(idleSince: Date): Promise<void>;
}

/** The default storage: @openaos/image's content-addressed store in `<root>/blobs/sha256/`. */
export function createDiskBlobStorage(root: string): BlobStorage & { store: BlobStore } {
  const store = new BlobStore(root);
  return {
    store,
    put: (source, expected) => store.put(source, expected),
    get: (digest) => store.get(digest),
    getRange: (digest, start, end) => createReadStream(store.pathOf(digest), { start, end }),
    has: (digest) => store.has(digest),
    remove: async (digest) => {
      await store.remove(digest);
    },
    sizeOf: async (digest) => {
      try {
        return (await stat(store.pathOf(digest))).size;
      } catch {
        return undefined;
      }
    },
    removeStaleTemporaries: async (idleSince) => {
      // BlobStore writes each put to `<root>/tmp/<random>.partial` and renames it into place.
      const directory = join(store.root, 'tmp');
      const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      for (const name of names) {
        const path = join(directory, name);
        const modified = await stat(path).then(
          (info) => info.mtime,
          () => undefined,
        );
        if (modified && modified <= idleSince) await rm(path, { force: true, recursive: true });
      }
    },
  };
}
