import {
  parseAosServiceConfig,
  parseOciImageConfig,
  type AosServiceConfig,
  type OciImageConfig,
} from '@openaos/config';
import type { BlobStore } from './blob-store.js';
import { isDigest } from './digest.js';
import { ImageError } from './errors.js';
import { LAYER_MEDIA_TYPES, MEDIA_TYPES } from './media-types.js';
import type { Descriptor, ServiceManifest } from './types.js';

/** JSON blobs (manifest, configs) are small; a bigger one is refused rather than read into memory. */
const MAX_JSON_BLOB_BYTES = 4 * 1024 * 1024;

export interface ServiceImage {
  manifestDigest: string;
  manifest: ServiceManifest;
  imageConfig: OciImageConfig;
  serviceConfig: AosServiceConfig;
}

/**
 * Read and check a service image as the unit's Service Manager does: the manifest (by digest,
 * verified), its media types, the config and aosService blobs (verified and parsed), and that
 * every layer is present with the announced size and is listed in rootfs.diff_ids. Layer content
 * is verified when it is extracted (extractLayer), not here.
 */
export async function readServiceImage(store: BlobStore, manifestDigest: string): Promise<ServiceImage> {
  const manifest = parseServiceManifest(await readJsonBlob(store, manifestDigest, 'manifest'), manifestDigest);

  const imageConfig = parseWith(
    parseOciImageConfig,
    await readJsonBlob(store, manifest.config.digest, 'image config', manifest.config.size),
    'image config',
    manifest.config.digest,
  );
  const serviceConfig = parseWith(
    parseAosServiceConfig,
    await readJsonBlob(store, manifest.aosService.digest, 'service config (aosService)', manifest.aosService.size),
    'service config (aosService)',
    manifest.aosService.digest,
  );

  if (imageConfig.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new ImageError(
      'bad-manifest',
      `reading image ${manifestDigest}: the manifest has ${manifest.layers.length} layer(s) but the image config lists ${imageConfig.rootfs.diff_ids.length} diff_ids; the image was assembled wrongly, rebuild it`,
    );
  }
  for (const [index, layer] of manifest.layers.entries()) {
    const { size } = await store.stat(layer.digest).catch((error: unknown) => {
      throw new ImageError(
        'not-found',
        `reading image ${manifestDigest}: layer ${index} (${layer.digest}) is not in the store; fetch the image's blobs first`,
        { cause: error },
      );
    });
    if (size !== layer.size) {
      throw new ImageError(
        'digest-mismatch',
        `reading image ${manifestDigest}: layer ${index} (${layer.digest}) has ${size} bytes in the store, the manifest says ${layer.size}; remove the blob and fetch it again`,
      );
    }
  }
  return { manifestDigest, manifest, imageConfig, serviceConfig };
}

/** Check the shape of a parsed manifest: schemaVersion 2, OCI manifest media type, config, aosService, ≥ 1 supported layer. */
export function parseServiceManifest(json: unknown, manifestDigest = 'manifest'): ServiceManifest {
  const where = `reading manifest ${manifestDigest}`;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ImageError('bad-manifest', `${where}: not a JSON object`);
  }
  const value = json as Record<string, unknown>;
  if (value.schemaVersion !== 2) {
    throw new ImageError(
      'bad-manifest',
      `${where}: schemaVersion is ${JSON.stringify(value.schemaVersion)}, expected 2`,
    );
  }
  // mediaType is optional in OCI manifests; when present it must be the manifest type (not an index).
  if (value.mediaType !== undefined && value.mediaType !== MEDIA_TYPES.manifest) {
    throw new ImageError(
      'unsupported-media-type',
      `${where}: mediaType ${JSON.stringify(value.mediaType)} is not ${MEDIA_TYPES.manifest}; image indexes and Docker manifests are not service images`,
    );
  }
  const config = parseDescriptor(value.config, `${where}: config`, [MEDIA_TYPES.config]);
  if (value.aosService === undefined) {
    throw new ImageError(
      'bad-manifest',
      `${where}: no aosService descriptor; this is a plain OCI image, not an AosEdge service image`,
    );
  }
  const aosService = parseDescriptor(value.aosService, `${where}: aosService`, [MEDIA_TYPES.serviceConfig]);
  if (!Array.isArray(value.layers) || value.layers.length === 0) {
    throw new ImageError('bad-manifest', `${where}: layers must list at least the service rootfs layer`);
  }
  const layers = value.layers.map((layer, index) =>
    parseDescriptor(layer, `${where}: layers[${index}]`, LAYER_MEDIA_TYPES),
  );
  return { schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config, aosService, layers };
}

function parseDescriptor(value: unknown, where: string, mediaTypes: readonly string[]): Descriptor {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ImageError('bad-manifest', `${where}: missing or not a descriptor object`);
  }
  const { mediaType, digest, size, annotations } = value as Record<string, unknown>;
  if (typeof mediaType !== 'string' || !mediaTypes.includes(mediaType)) {
    throw new ImageError(
      'unsupported-media-type',
      `${where}: media type ${JSON.stringify(mediaType)} is not supported (expected ${mediaTypes.join(' or ')})`,
    );
  }
  if (!isDigest(digest)) {
    throw new ImageError(
      'bad-manifest',
      `${where}: digest ${JSON.stringify(digest)} is not sha256:<64 lower-case hex>`,
    );
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ImageError('bad-manifest', `${where}: size ${JSON.stringify(size)} is not a non-negative integer`);
  }
  const descriptor: Descriptor = { mediaType, digest, size };
  if (annotations !== undefined) descriptor.annotations = annotations as Record<string, string>;
  return descriptor;
}

async function readJsonBlob(store: BlobStore, digest: string, what: string, expectedSize?: number): Promise<unknown> {
  let data: Buffer;
  try {
    data = await store.readBuffer(digest, { maxBytes: MAX_JSON_BLOB_BYTES });
  } catch (error) {
    if (error instanceof ImageError) {
      throw new ImageError(error.code, `reading ${what}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  if (expectedSize !== undefined && data.length !== expectedSize) {
    throw new ImageError(
      'digest-mismatch',
      `reading ${what} ${digest}: ${data.length} bytes, the manifest says ${expectedSize}`,
    );
  }
  try {
    return JSON.parse(data.toString('utf8'));
  } catch (error) {
    throw new ImageError(
      what === 'manifest' ? 'bad-manifest' : 'bad-config',
      `reading ${what} ${digest}: not valid JSON (${(error as Error).message})`,
      { cause: error },
    );
  }
}

function parseWith<T>(parse: (json: unknown) => T, json: unknown, what: string, digest: string): T {
  try {
    return parse(json);
  } catch (error) {
    throw new ImageError('bad-config', `reading ${what} ${digest}: ${(error as Error).message}`, { cause: error });
  }
}
