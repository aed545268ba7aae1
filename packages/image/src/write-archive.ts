import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createTarWriter } from '@openaos/archive';
import type { BlobStore } from './blob-store.js';
import { digestHex } from './digest.js';
import { ImageError, isImageError } from './errors.js';
import { HashingStream } from './hashing-stream.js';
import {
  DEFAULT_TAG,
  describeManifest,
  isValidTag,
  listImageBlobs,
  serializeIndex,
  serializeOciLayout,
} from './image-layout-files.js';
import { readServiceImage } from './read-image.js';
import type { StoredBlob } from './types.js';

/** Mode bits of archive members: readable by all, never executable or writable by others. */
const FILE_MODE = 0o644;
const DIRECTORY_MODE = 0o755;

/**
 * Write an image as one uncompressed tar holding the same tree as writeImageLayout
 * (`blobs/sha256/*`, `index.json`, `manifest.json`, `oci-layout`): the era A "archive" the
 * cloud serves to units. Deterministic (sorted members, fixed mtime, owner 0:0); blobs are
 * re-verified as they are copied; the file appears atomically. Returns the archive's sha256
 * and size, as a desired status announces them.
 */
export async function writeImageArchive(
  store: BlobStore,
  manifestDigest: string,
  outFile: string,
  options: { tag?: string } = {},
): Promise<StoredBlob & { path: string }> {
  const tag = options.tag ?? DEFAULT_TAG;
  if (!isValidTag(tag))
    throw new ImageError('bad-manifest', `writing image archive: tag ${JSON.stringify(tag)} is not a valid tag`);
  const image = await readServiceImage(store, manifestDigest);
  const manifestBytes = await store.readBuffer(manifestDigest);
  // Unique digests, sorted, so the member order depends on content only.
  const blobs = [
    ...new Map(listImageBlobs(image, manifestBytes.length).map((blob) => [blob.digest, blob])).values(),
  ].sort((a, b) => (a.digest < b.digest ? -1 : 1));

  const path = resolve(outFile);
  const temp = `${path}.${randomBytes(6).toString('hex')}.partial`;
  const writer = createTarWriter();
  const hashing = new HashingStream();
  const file = createWriteStream(temp, { flags: 'wx' });
  const written = pipeline(writer.stream, hashing, file);
  written.catch(() => {});
  try {
    await writer.add({ name: 'blobs', type: 'directory', size: 0, mode: DIRECTORY_MODE });
    await writer.add({ name: 'blobs/sha256', type: 'directory', size: 0, mode: DIRECTORY_MODE });
    for (const blob of blobs) {
      await writer.add({
        name: `blobs/sha256/${digestHex(blob.digest)}`,
        type: 'file',
        size: blob.size,
        mode: FILE_MODE,
        body: store.get(blob.digest),
      });
    }
    const index = Buffer.from(serializeIndex([describeManifest(image, manifestBytes.length, tag)]));
    await writer.add({ name: 'index.json', type: 'file', size: index.length, mode: FILE_MODE, body: index });
    await writer.add({
      name: 'manifest.json',
      type: 'file',
      size: manifestBytes.length,
      mode: FILE_MODE,
      body: manifestBytes,
    });
    const layout = Buffer.from(serializeOciLayout());
    await writer.add({ name: 'oci-layout', type: 'file', size: layout.length, mode: FILE_MODE, body: layout });
    writer.finish();
    await written;
    await rename(temp, path);
    return { path, digest: hashing.digest, size: hashing.bytes };
  } catch (error) {
    writer.stream.destroy();
    await written.catch(() => {});
    // The file may still be opening when the pipeline fails: removed before its open completes,
    // it would be created afterwards and left behind. Wait for it to be closed first.
    if (!file.closed) await once(file, 'close').catch(() => {});
    await rm(temp, { force: true });
    if (isImageError(error)) throw error;
    throw new ImageError('io', `writing image archive ${path}: ${(error as Error).message}`, { cause: error });
  }
}
