/**
 * The image of one desired item, by its `indexDigest` (AosEdge era B, docs/unit-channel.md): ask
 * the cloud for the index's URL and download it, pick this unit's manifest, then the manifest,
 * then the config, `aosService` and layers it names. Every blob is digest-checked by the
 * download; sizes come from the (signed) chain of digests, and a `blobUrls` entry that disagrees
 * is refused. Blobs the unit already holds are not asked for.
 */
import { readFile, stat } from 'node:fs/promises';
import { isPlainBlob, type BlobInfo } from '@openaos/protocol/v7';
import { AgentError } from '../errors.js';
import type { BlobToDownload } from './download-blob.js';
import type { ResolvedImage } from './map-desired-status.js';
import { selectManifest } from './select-manifest.js';

/** An index or manifest larger than this is refused (the install worker's cap too). */
const MAX_JSON_BLOB_BYTES = 4 * 1024 * 1024;

export interface ImageFetcher {
  /** `requestBlobUrls` → `blobUrls` over the channel. */
  requestUrls(digests: string[]): Promise<BlobInfo[]>;
  /** Download and verify one blob; returns its path. */
  download(blob: BlobToDownload): Promise<string>;
  /** The path of a verified copy the unit already has (downloads or the blob store), if any. */
  findLocal(digest: string): Promise<string | undefined>;
  architecture: string;
}

interface Descriptor {
  digest: string;
  size: number;
}

function isDescriptor(value: unknown): value is Descriptor {
  const candidate = value as Partial<Descriptor> | undefined;
  return (
    typeof candidate?.digest === 'string' &&
    /^sha256:[0-9a-f]{64}$/.test(candidate.digest) &&
    typeof candidate.size === 'number' &&
    Number.isInteger(candidate.size) &&
    candidate.size >= 0
  );
}

/** Download what is missing of `wanted` (one `requestBlobUrls` for all); returns each blob's path. */
async function fetchBlobs(
  fetcher: ImageFetcher,
  wanted: Array<{ digest: string; size?: number }>,
): Promise<Map<string, string>> {
  const paths = new Map<string, string>();
  const missing: Array<{ digest: string; size?: number }> = [];
  for (const blob of wanted) {
    const local = await fetcher.findLocal(blob.digest);
    if (local && (blob.size === undefined || (await stat(local)).size === blob.size)) paths.set(blob.digest, local);
    else missing.push(blob);
  }
  if (missing.length === 0) return paths;
  const infos = await fetcher.requestUrls(missing.map((blob) => blob.digest));
  for (const blob of missing) {
    const info = infos.find((candidate) => candidate.digest === blob.digest);
    if (!info)
      throw new AgentError(
        'download-failed',
        `downloading ${blob.digest}: the cloud gave no URL for it (not in this unit's desired status any more?)`,
      );
    if (!isPlainBlob(info))
      throw new AgentError(
        'download-failed',
        `downloading ${blob.digest}: the cloud offers it encrypted or signed (decryptInfo/signInfo); this agent takes plain blobs only (docs/protocol.md "Plain blobs")`,
      );
    if (blob.size !== undefined && info.size !== blob.size)
      throw new AgentError(
        'download-failed',
        `downloading ${blob.digest}: the cloud says ${info.size} bytes, the image names ${blob.size}; refused`,
      );
    if (blob.size === undefined && info.size > MAX_JSON_BLOB_BYTES)
      throw new AgentError(
        'download-failed',
        `downloading ${blob.digest}: ${info.size} bytes is too big for an image index`,
      );
    paths.set(blob.digest, await fetcher.download({ digest: blob.digest, size: info.size, urls: info.urls }));
  }
  return paths;
}

async function readJsonBlob(path: string, what: string): Promise<unknown> {
  if ((await stat(path)).size > MAX_JSON_BLOB_BYTES) throw new Error(`${what} is larger than 4 MiB`);
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new Error(`${what} is not JSON`);
  }
}

export interface FetchedImage extends ResolvedImage {
  /** Every blob of the image: index (when read), manifest, config, aosService, layers. */
  blobs: string[];
}

/**
 * Fetch everything the item's image needs; returns its manifest for the target. With `known`
 * (the index was read before: applied-store.ts) the index is not fetched again.
 */
export async function fetchItemImage(
  fetcher: ImageFetcher,
  indexDigest: string,
  known?: ResolvedImage,
): Promise<FetchedImage> {
  const where = `fetching image ${indexDigest}`;
  try {
    const manifest =
      known?.size !== undefined
        ? { digest: known.manifestDigest, size: known.size }
        : await readIndex(fetcher, indexDigest);
    const manifestPath = (await fetchBlobs(fetcher, [manifest])).get(manifest.digest);
    if (!manifestPath) throw new Error('the manifest was not downloaded');
    const content = (await readJsonBlob(manifestPath, `manifest ${manifest.digest}`)) as {
      config?: unknown;
      aosService?: unknown;
      layers?: unknown;
    };
    const descriptors = [content.config, content.aosService, ...(Array.isArray(content.layers) ? content.layers : [])];
    if (!isDescriptor(content.config) || !Array.isArray(content.layers) || !descriptors.every(isDescriptor))
      throw new Error(
        `manifest ${manifest.digest} is not a service manifest (config, aosService, layers with digests and sizes)`,
      );
    await fetchBlobs(fetcher, descriptors);
    return {
      manifestDigest: manifest.digest,
      size: manifest.size,
      blobs: [...(known ? [] : [indexDigest]), manifest.digest, ...descriptors.map((descriptor) => descriptor.digest)],
    };
  } catch (error) {
    if (error instanceof AgentError) throw error;
    throw new AgentError('download-failed', `${where}: ${(error as Error).message}`, { cause: error });
  }
}

async function readIndex(fetcher: ImageFetcher, indexDigest: string): Promise<{ digest: string; size: number }> {
  const indexPath = (await fetchBlobs(fetcher, [{ digest: indexDigest }])).get(indexDigest);
  if (!indexPath) throw new Error('the index was not downloaded');
  if ((await stat(indexPath)).size > MAX_JSON_BLOB_BYTES) throw new Error('the image index is larger than 4 MiB');
  return selectManifest(await readFile(indexPath, 'utf8'), fetcher.architecture);
}
