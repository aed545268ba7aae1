import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { ArchiveError, extractTar, type ArchiveLimits } from '@openaos/archive';
import type { BlobStore } from './blob-store.js';
import { ImageError, isImageError } from './errors.js';
import { LAYER_MEDIA_TYPES } from './media-types.js';
import type { Descriptor } from './types.js';

export interface ExtractLayerOptions {
  limits?: Partial<ArchiveLimits>;
  /** Absolute symlink targets resolve inside the container's root; refused unless 'allow' (as the package reader does). */
  absoluteSymlinks?: 'refuse' | 'allow';
}

/**
 * Unpack a layer blob into `destination` (which must not exist, or be an empty directory),
 * with the package reader's refusals (escaping paths and links, special files, limits).
 * The blob's digest is checked while it streams; OCI whiteouts are refused (the seed: "not
 * supported"). The layer is unpacked beside `destination` and renamed into place only once
 * complete and verified, so a refused or tampered layer leaves nothing behind.
 */
export async function extractLayer(
  store: BlobStore,
  layer: Descriptor,
  destination: string,
  options: ExtractLayerOptions = {},
): Promise<{ entries: number; bytes: number }> {
  if (!LAYER_MEDIA_TYPES.includes(layer.mediaType)) {
    throw new ImageError(
      'unsupported-media-type',
      `extracting layer ${layer.digest}: media type ${JSON.stringify(layer.mediaType)} is not supported (expected ${LAYER_MEDIA_TYPES.join(' or ')})`,
    );
  }
  const { size } = await store.stat(layer.digest);
  if (size !== layer.size) {
    throw new ImageError(
      'digest-mismatch',
      `extracting layer ${layer.digest}: the stored blob has ${size} bytes, the descriptor says ${layer.size}; remove the blob and fetch it again`,
    );
  }
  const target = resolve(destination);
  await ensureAbsentOrEmpty(target);
  const staging = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    const source = store.get(layer.digest);
    const result = await extractTar(source, staging, {
      whiteouts: 'refuse',
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.absoluteSymlinks === undefined ? {} : { absoluteSymlinks: options.absoluteSymlinks }),
    });
    await finishVerifying(source, () => store.verify(layer.digest));
    await ensureAbsentOrEmpty(target);
    await rename(staging, target);
    return result;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // A tampered blob often looks like a corrupt or hostile archive before its digest check is
    // reached; say what it really is, so the caller fetches it again instead of blaming the image.
    if (findImageError(error) === undefined) {
      const tampered = await store.verify(layer.digest).then(
        () => undefined,
        (verifyError: unknown) => (isImageError(verifyError, 'digest-mismatch') ? verifyError : undefined),
      );
      if (tampered !== undefined) throw describeExtractError(tampered, layer);
    }
    throw describeExtractError(error, layer);
  }
}

/**
 * extractTar may stop at the end-of-archive marker before the blob's last bytes (and so its
 * digest check) have flowed: drain the rest so a tampered tail is still caught, or re-verify
 * the whole blob if the source was closed early.
 */
async function finishVerifying(source: Readable, verifyAgain: () => Promise<unknown>): Promise<void> {
  if (source.readableEnded) return; // ended cleanly: the digest check in its flush passed
  if (source.destroyed) {
    await verifyAgain();
    return;
  }
  await new Promise<void>((resolvePromise, reject) => {
    source.on('end', resolvePromise);
    source.on('error', reject);
    source.resume();
  });
}

function describeExtractError(thrown: unknown, layer: Descriptor): Error {
  // The archive reader wraps a failing source (our digest check) in its own 'corrupt' error:
  // the blob's own ImageError, if there is one in the chain, is the real reason.
  const error = findImageError(thrown) ?? thrown;
  if (isImageError(error)) {
    return new ImageError(error.code, `extracting layer ${layer.digest}: ${error.message}`, {
      cause: error,
      ...(error.entry === undefined ? {} : { entry: error.entry }),
    });
  }
  if (error instanceof ArchiveError) {
    if (error.code === 'whiteout') {
      return new ImageError(
        'whiteout',
        `extracting layer ${layer.digest}: entry ${JSON.stringify(error.entry)} is an OCI whiteout; AosEdge service layers do not support whiteouts, rebuild the layer without deleting files of lower layers`,
        { cause: error, ...(error.entry === undefined ? {} : { entry: error.entry }) },
      );
    }
    return new ImageError('unsafe-layer', `extracting layer ${layer.digest}: ${error.message}`, {
      cause: error,
      ...(error.entry === undefined ? {} : { entry: error.entry }),
    });
  }
  return new ImageError('io', `extracting layer ${layer.digest}: ${(error as Error).message}`, { cause: error });
}

function findImageError(error: unknown): ImageError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    if (current instanceof ImageError) return current;
  }
  return undefined;
}

/** A pre-made empty directory (mkdtemp) is fine and is replaced; anything else is refused. */
async function ensureAbsentOrEmpty(target: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR')
      throw new ImageError(
        'destination-exists',
        `extracting layer: ${target} exists and is not a directory; choose a new destination`,
      );
    throw error;
  }
  if (names.length > 0) {
    throw new ImageError(
      'destination-exists',
      `extracting layer: ${target} is not empty; extract into a new or empty directory`,
    );
  }
  await rmdir(target);
}
