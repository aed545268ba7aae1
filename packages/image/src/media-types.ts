/**
 * Media types of the AosEdge era A image (reference §3.2) and of the OCI image layout.
 * The unit's Service Manager accepts only the two OCI layer types for layers it unpacks.
 */
export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  serviceConfig: 'application/vnd.aos.service.config.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  /** Not a media type of a blob: the version written to the `oci-layout` file. */
  ociLayout: '1.0.0',
} as const;

/** Layer media types extractLayer unpacks (aos_core_cpp imagehandler `CheckMediaType`). */
export const LAYER_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.layerTar, MEDIA_TYPES.layerGzip];

/** The index.json annotation that names a manifest's tag (what `umoci --image dir:tag` looks up). */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
