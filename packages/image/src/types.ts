/** An OCI content descriptor (image-spec descriptor.md). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

/**
 * The era A service manifest (reference §3.2): an OCI image manifest with the extra
 * `aosService` descriptor pointing at service_config.json. layers[0] is the service rootfs.
 */
export interface ServiceManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  aosService: Descriptor;
  layers: Descriptor[];
}

/** Where a blob is and what it is: the result of BlobStore.put. */
export interface StoredBlob {
  digest: string;
  size: number;
}
