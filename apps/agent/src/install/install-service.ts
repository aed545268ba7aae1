import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { parseIsoDuration } from '@openaos/config/small-formats';
import { extractLayer, readServiceImage, type BlobStore, type Descriptor } from '@openaos/image';
import { AgentError } from '../errors.js';
import { checkStorageSpace, type SpaceRequest } from '../storage/check-storage-space.js';
import { readFreeBytes } from '../storage/instance-volumes.js';
import type { StoragePaths } from '../paths.js';
import { DEFAULT_RUN_PARAMETERS, type InstalledService, type RunParameters, type ServiceVersion } from '../state.js';
import { ensureBlob } from './fetch-blob.js';
import { layerDirectory } from './layer-paths.js';

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

function toRunParameters(
  runParameters: { startInterval?: string; startBurst?: number; restartInterval?: string } | undefined,
): RunParameters {
  return {
    startIntervalMs: runParameters?.startInterval
      ? parseIsoDuration(runParameters.startInterval)
      : DEFAULT_RUN_PARAMETERS.startIntervalMs,
    startBurst: runParameters?.startBurst ?? DEFAULT_RUN_PARAMETERS.startBurst,
    restartIntervalMs: runParameters?.restartInterval
      ? parseIsoDuration(runParameters.restartInterval)
      : DEFAULT_RUN_PARAMETERS.restartIntervalMs,
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Install one service version: fetch every blob it names (verified by digest), read the image
 * back (verifies config, aosService and layers again), unpack each layer into `<hex>.tmp` and
 * rename it into place. Only a fully installed version is returned (and then recorded), so
 * nothing half-installed can run; a crash leaves at most verified blobs and a `.tmp` dir that
 * the next start removes.
 */
export async function installService(
  paths: StoragePaths,
  store: BlobStore,
  service: ServiceVersion,
): Promise<InstalledService> {
  const where = `installing ${service.serviceId}@${service.version}`;
  try {
    // Without an announced size, cap the manifest (reading it back refuses more than 4 MiB too).
    await ensureBlob(store, service.manifestDigest, service.urls, service.size, { maxBytes: MAX_MANIFEST_BYTES });
    const manifest = JSON.parse(await readFile(store.pathOf(service.manifestDigest), 'utf8')) as {
      config?: Descriptor;
      aosService?: Descriptor;
      layers?: Descriptor[];
    };
    const descriptors = [manifest.config, manifest.aosService, ...(manifest.layers ?? [])].filter(
      (descriptor): descriptor is Descriptor => descriptor !== undefined,
    );
    // Admission (AosEdge "not enough storage space"): the small service config first, then the
    // space its volumes reserve and its missing blobs need, before any layer is fetched.
    if (manifest.aosService) {
      await ensureBlob(store, manifest.aosService.digest, service.urls, manifest.aosService.size);
      const config = JSON.parse(await readFile(store.pathOf(manifest.aosService.digest), 'utf8')) as SpaceRequest;
      let missing = 0;
      for (const descriptor of descriptors)
        if (!(await exists(store.pathOf(descriptor.digest)))) missing += descriptor.size;
      checkStorageSpace(where, config, missing, await readFreeBytes(paths.root));
    }
    for (const descriptor of descriptors) await ensureBlob(store, descriptor.digest, service.urls, descriptor.size);
    const image = await readServiceImage(store, service.manifestDigest);
    await mkdir(paths.layers, { recursive: true });
    for (const layer of image.manifest.layers) {
      const destination = layerDirectory(paths, layer.digest);
      if (await exists(destination)) continue;
      const temporary = `${destination}.tmp`;
      await rm(temporary, { recursive: true, force: true });
      await extractLayer(store, layer, temporary);
      await rename(temporary, destination);
    }
    return {
      serviceId: service.serviceId,
      version: service.version,
      manifestDigest: service.manifestDigest,
      layerDigests: image.manifest.layers.map((layer) => layer.digest),
      blobDigests: [
        service.manifestDigest,
        image.manifest.config.digest,
        image.manifest.aosService.digest,
        ...image.manifest.layers.map((layer) => layer.digest),
      ],
      runParameters: toRunParameters(image.serviceConfig.runParameters),
      imageConfig: image.imageConfig,
      serviceConfig: image.serviceConfig,
      installedAt: new Date().toISOString(),
    };
  } catch (error) {
    if (error instanceof AgentError) throw error;
    throw new AgentError('install-failed', `${where}: ${(error as Error).message}`, { cause: error });
  }
}
