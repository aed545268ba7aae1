import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BlobStore } from './blob-store.js';
import { ImageError } from './errors.js';
import {
  DEFAULT_TAG,
  describeManifest,
  isValidTag,
  listImageBlobs,
  serializeIndex,
  serializeOciLayout,
} from './image-layout-files.js';
import { REF_NAME_ANNOTATION } from './media-types.js';
import { readServiceImage } from './read-image.js';
import type { Descriptor } from './types.js';

export interface WrittenImageLayout {
  directory: string;
  manifestDigest: string;
  tag: string;
  blobs: Descriptor[];
}

/**
 * Write an image into `directory` both as the seed's archive layout (`blobs/sha256/*` +
 * `manifest.json`) and as an OCI image layout (`oci-layout`, `index.json` naming the manifest
 * with `org.opencontainers.image.ref.name` = tag), so umoci, skopeo and oci-image-tool open it.
 *
 * `directory` may be the store's own root (blobs are then already in place). Blobs are
 * hard-linked when on the same file system (they are immutable), else copied and re-verified.
 * An existing index.json keeps its other tags; manifest.json always names the image written last.
 */
export async function writeImageLayout(
  store: BlobStore,
  manifestDigest: string,
  directory: string,
  options: { tag?: string } = {},
): Promise<WrittenImageLayout> {
  const tag = options.tag ?? DEFAULT_TAG;
  if (!isValidTag(tag)) {
    throw new ImageError(
      'bad-manifest',
      `writing image layout: tag ${JSON.stringify(tag)} is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`,
    );
  }
  const image = await readServiceImage(store, manifestDigest);
  const manifestBytes = await store.readBuffer(manifestDigest);
  const blobs = listImageBlobs(image, manifestBytes.length);
  const target = new BlobStore(directory);
  if (target.root !== store.root) {
    await mkdir(join(target.root, 'blobs', 'sha256'), { recursive: true });
    for (const blob of blobs) await copyBlob(store, target, blob);
  }

  const existing = await readIndexManifests(join(target.root, 'index.json'));
  const manifests = [
    ...existing.filter((entry) => entry.annotations?.[REF_NAME_ANNOTATION] !== tag),
    describeManifest(image, manifestBytes.length, tag),
  ];
  await writeFileAtomically(join(target.root, 'oci-layout'), serializeOciLayout());
  await writeFileAtomically(join(target.root, 'manifest.json'), manifestBytes);
  await writeFileAtomically(join(target.root, 'index.json'), serializeIndex(manifests));
  return { directory: resolve(directory), manifestDigest, tag, blobs };
}

async function copyBlob(from: BlobStore, to: BlobStore, blob: Descriptor): Promise<void> {
  if (await to.has(blob.digest)) {
    // Content-addressed: a present blob of the right size is the same blob (verify() re-hashes if in doubt).
    if ((await to.stat(blob.digest)).size === blob.size) return;
    await to.remove(blob.digest);
  }
  try {
    await link(from.pathOf(blob.digest), to.pathOf(blob.digest));
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
  }
  await to.put(from.get(blob.digest), { digest: blob.digest, size: blob.size });
}

async function readIndexManifests(path: string): Promise<Descriptor[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const index = JSON.parse(text) as { manifests?: unknown };
    return Array.isArray(index.manifests) ? (index.manifests as Descriptor[]) : [];
  } catch (error) {
    throw new ImageError(
      'bad-manifest',
      `writing image layout: the existing ${path} is not valid JSON; remove it or write to an empty directory`,
      { cause: error },
    );
  }
}

async function writeFileAtomically(path: string, data: string | Buffer): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.partial`;
  await writeFile(temp, data);
  await rename(temp, path);
}
