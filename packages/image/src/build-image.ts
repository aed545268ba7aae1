import type { SafeEntry } from '@openaos/archive';
import {
  mapArchitecture,
  toImageConfig,
  toServiceConfigJson,
  type AosServiceConfig,
  type OciImageConfig,
  type ServiceConfig,
} from '@openaos/config';
import type { BlobStore } from './blob-store.js';
import { buildRootfsLayer } from './build-layer.js';
import { serializeCanonicalJson } from './canonical-json.js';
import { ImageError } from './errors.js';
import { MEDIA_TYPES } from './media-types.js';
import type { Descriptor, ServiceManifest } from './types.js';

export interface BuildServiceImageOptions {
  /** The parsed meta/config.yaml of the verified package. */
  config: ServiceConfig;
  /** The package's service/ tree, names relative to the rootfs, in the package's order. */
  entries: AsyncIterable<SafeEntry>;
  /**
   * When the package was signed (ISO 8601; `VerifiedPackage.created` of @openaos/service-package):
   * the `created` time of both configs unless `sourceDateEpoch` is given. Never the build's
   * clock, so the cloud and `aos image build` give the same image for the same package.
   */
  created: string;
  /** SOURCE_DATE_EPOCH of the builder's environment (see parseSourceDateEpoch): when given, it is the `created` time instead. */
  sourceDateEpoch?: Date | undefined;
  store: BlobStore;
  /** service_config.json `author`; config's default when absent. */
  author?: string;
  /** Uncompressed layer bytes written so far. */
  onProgress?: (bytes: number) => void;
}

export interface BuiltServiceImage {
  manifest: ServiceManifest;
  manifestDigest: string;
  manifestSize: number;
  imageConfig: OciImageConfig;
  serviceConfig: AosServiceConfig;
  layerDigest: string;
  layerSize: number;
  diffId: string;
}

/**
 * Build the era A service image (reference §3.2) into the store: the gzip rootfs layer, the
 * OCI image config, service_config.json and the manifest with `aosService`. Deterministic:
 * the same entries, config and created time (SOURCE_DATE_EPOCH, else the package's signing
 * time) give the same manifest digest.
 */
export async function buildServiceImage(options: BuildServiceImageOptions): Promise<BuiltServiceImage> {
  const { config, store } = options;
  if (Number.isNaN(Date.parse(options.created))) {
    throw new ImageError(
      'bad-config',
      `building service image: created ${JSON.stringify(options.created)} is not an ISO 8601 time`,
    );
  }
  const created = options.sourceDateEpoch?.toISOString() ?? options.created;
  const layer = await buildRootfsLayer(
    options.entries,
    store,
    options.onProgress === undefined ? {} : { onProgress: options.onProgress },
  );

  const imageConfig = selectImageConfigFields(toImageConfig(config, { created, diffIds: [layer.diffId] }), config);
  const serviceConfig = toServiceConfigJson(config, {
    created,
    ...(options.author === undefined ? {} : { author: options.author }),
  });

  const configBlob = await store.put(Buffer.from(serializeCanonicalJson(imageConfig)));
  const serviceBlob = await store.put(Buffer.from(serializeCanonicalJson(serviceConfig)));

  const manifest: ServiceManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: describe(MEDIA_TYPES.config, configBlob),
    aosService: describe(MEDIA_TYPES.serviceConfig, serviceBlob),
    layers: [describe(MEDIA_TYPES.layerGzip, layer)],
  };
  const manifestBlob = await store.put(Buffer.from(serializeCanonicalJson(manifest)));
  return {
    manifest,
    manifestDigest: manifestBlob.digest,
    manifestSize: manifestBlob.size,
    imageConfig,
    serviceConfig,
    layerDigest: layer.digest,
    layerSize: layer.size,
    diffId: layer.diffId,
  };
}

/**
 * Keep only the image config fields the unit honours. The seed's deviation table says User,
 * Entrypoint and Volumes are ignored and StopSignal unsupported, so they are never written:
 * an image that carried them would run differently under other OCI tools than on a unit.
 */
function selectImageConfigFields(translated: OciImageConfig, config: ServiceConfig): OciImageConfig {
  const { Cmd, Env, WorkingDir, ExposedPorts } = translated.config;
  return {
    ...(translated.created === undefined ? {} : { created: translated.created }),
    ...(translated.author === undefined ? {} : { author: translated.author }),
    architecture: mapArchitecture(config.build.arch),
    os: 'linux',
    config: {
      ...(Cmd === undefined ? {} : { Cmd }),
      ...(Env === undefined ? {} : { Env }),
      ...(WorkingDir === undefined ? {} : { WorkingDir }),
      ...(ExposedPorts === undefined ? {} : { ExposedPorts }),
    },
    rootfs: { type: 'layers', diff_ids: [...translated.rootfs.diff_ids] },
  };
}

function describe(mediaType: string, blob: { digest: string; size: number }): Descriptor {
  return { mediaType, digest: blob.digest, size: blob.size };
}
