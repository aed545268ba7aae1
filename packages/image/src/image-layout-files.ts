import { serializeCanonicalJson } from './canonical-json.js';
import { MEDIA_TYPES, REF_NAME_ANNOTATION } from './media-types.js';
import type { ServiceImage } from './read-image.js';
import type { Descriptor } from './types.js';

/** The default tag under which an image is named in index.json. */
export const DEFAULT_TAG = 'latest';

/** Tags follow the OCI/distribution reference grammar for tags, so tools can address them. */
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** True when `tag` can be used as an `org.opencontainers.image.ref.name`. */
export function isValidTag(tag: string): boolean {
  return TAG_PATTERN.test(tag);
}

/** The manifest descriptor for index.json, with the tag and the image's platform. */
export function describeManifest(image: ServiceImage, manifestSize: number, tag: string): Descriptor {
  return {
    mediaType: MEDIA_TYPES.manifest,
    digest: image.manifestDigest,
    size: manifestSize,
    annotations: { [REF_NAME_ANNOTATION]: tag },
    platform: { architecture: image.imageConfig.architecture, os: image.imageConfig.os },
  };
}

/** `oci-layout` file content. */
export function serializeOciLayout(): string {
  return serializeCanonicalJson({ imageLayoutVersion: MEDIA_TYPES.ociLayout });
}

/** index.json content listing `manifests`. */
export function serializeIndex(manifests: Descriptor[]): string {
  return serializeCanonicalJson({ schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests });
}

/** Every blob an image needs, manifest first. */
export function listImageBlobs(image: ServiceImage, manifestSize: number): Descriptor[] {
  return [
    { mediaType: MEDIA_TYPES.manifest, digest: image.manifestDigest, size: manifestSize },
    image.manifest.config,
    image.manifest.aosService,
    ...image.manifest.layers,
  ];
}
