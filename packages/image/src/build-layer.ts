import { availableParallelism } from 'node:os';
import { pipeline } from 'node:stream';
import { createParallelGzip, createTarWriter, type SafeEntry } from '@openaos/archive';
import type { BlobStore } from './blob-store.js';
import { ImageError } from './errors.js';
import { HashingStream } from './hashing-stream.js';
import { MEDIA_TYPES } from './media-types.js';

/** gzip level of rootfs layers: the usual default (docker, umoci), a fair speed/size trade. */
export const LAYER_GZIP_LEVEL = 6;

/** A rootfs layer committed to the store. */
export interface RootfsLayer {
  mediaType: typeof MEDIA_TYPES.layerGzip;
  /** sha256 of the gzip blob (the manifest's layer digest). */
  digest: string;
  /** Bytes of the gzip blob. */
  size: number;
  /** sha256 of the uncompressed tar (the image config's rootfs.diff_ids entry). */
  diffId: string;
  /** Bytes of the uncompressed tar. */
  uncompressedSize: number;
}

/**
 * Re-pack entries into a deterministic tar, gzip it and store it, in one streaming pass:
 * tar writer → hash (diff_id) → gzip (level 6, blocks in parallel, see createParallelGzip in @openaos/archive) → hash
 * (digest) → temp file → rename. Memory stays flat whatever the layer size; backpressure from
 * the disk reaches the entry source.
 *
 * Entries keep their order, names, types, modes, link targets and mtimes; owners become 0:0
 * (the unit chowns the unpacked layer to 0:<service GID> anyway).
 */
export async function buildRootfsLayer(
  entries: AsyncIterable<SafeEntry>,
  store: BlobStore,
  options: { onProgress?: (uncompressedBytes: number) => void } = {},
): Promise<RootfsLayer> {
  const writer = createTarWriter();
  const diff = new HashingStream(options.onProgress === undefined ? {} : { onBytes: options.onProgress });
  // Blocks compressed on the thread pool while this thread packs and hashes. At most 3 at once:
  // libuv has 4 threads by default and the file reads and writes need one.
  const gzip = createParallelGzip({ level: LAYER_GZIP_LEVEL, concurrency: Math.min(3, availableParallelism()) });
  // A failure in any stage destroys all of them, the last (gzip) with that error, and store.put,
  // reading gzip, reports it: that is where it is handled, so pipeline's own callback has nothing to do.
  const layerStream = pipeline(writer.stream, diff, gzip, () => {});
  const stored = store.put(layerStream);
  // If the store fails (disk full), adding entries would wait forever for a drain: race it.
  const storeFailed = stored.then(
    () => new Promise<never>(() => {}),
    (error: unknown) => Promise.reject(error),
  );
  storeFailed.catch(() => {});

  try {
    for await (const entry of entries) {
      refuseWhiteout(entry.name);
      await Promise.race([
        writer.add({
          name: entry.name,
          type: entry.type,
          size: entry.size,
          mode: entry.mode,
          mtime: entry.mtime,
          ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
          ...(entry.body === undefined ? {} : { body: entry.body }),
        }),
        storeFailed,
      ]);
    }
    writer.finish();
  } catch (error) {
    // Fail the blob write too, so its temp file is removed before we report.
    gzip.destroy(error instanceof Error ? error : new Error(String(error)));
    writer.stream.destroy();
    await stored.catch(() => {});
    throw error;
  }
  const blob = await stored;
  return {
    mediaType: MEDIA_TYPES.layerGzip,
    digest: blob.digest,
    size: blob.size,
    diffId: diff.digest,
    uncompressedSize: diff.bytes,
  };
}

/** Units refuse layers with OCI whiteouts (seed); refuse to build one rather than ship it. */
function refuseWhiteout(name: string): void {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base.startsWith('.wh.')) {
    throw new ImageError(
      'whiteout',
      `building rootfs layer: ${JSON.stringify(name)} is an OCI whiteout name; AosEdge units do not support whiteouts, rename or remove the file`,
      { entry: name },
    );
  }
}
