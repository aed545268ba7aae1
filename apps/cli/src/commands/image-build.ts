import { mkdir, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BlobStore, buildServiceImage, writeImageLayout } from '@openaos/image';
import { verifyServicePackage } from '@openaos/service-package';
import { CliError } from '../errors.js';
import { loadTrust, type TrustOptions } from '../trust.js';
import { describeVerificationFailure, noTrustFailure } from '../verification-failure.js';

export interface ImageBuildOptions extends TrustOptions {
  /** The signed package (service.tar.gz). */
  packagePath: string;
  /** `-o, --output`: directory for the OCI image layout (created if missing). */
  outputDir: string;
  /** Reference name in index.json (default "latest"). */
  tag?: string;
  /** SOURCE_DATE_EPOCH: the image's created time instead of the package's signing time. */
  sourceDateEpoch?: Date | undefined;
  /** Bytes of the service tree packed into the layer so far. */
  onProgress?: (bytes: number) => void;
}

export interface ImageBuildResult {
  directory: string;
  tag: string;
  manifestDigest: string;
  manifestSize: number;
  /** The OCI image config blob. */
  configDigest: string;
  /** service_config.json (the manifest's aosService descriptor). */
  serviceConfigDigest: string;
  /** Compressed rootfs layer and its uncompressed diff_id. */
  layerDigest: string;
  layerSize: number;
  diffId: string;
  serviceUid?: string;
  version?: string;
}

/**
 * The cloud's transformation, locally: verify the package, build the service image
 * (rootfs layer, image config, service_config.json, manifest with aosService) into a blob
 * store in `outputDir`, and write an OCI image layout there that umoci/skopeo can open.
 * A package that does not verify throws CliError('verification-failed').
 */
export async function runImageBuild(options: ImageBuildOptions): Promise<ImageBuildResult> {
  const action = `building an image from ${options.packagePath}`;
  const directory = resolve(options.outputDir);
  const tag = options.tag ?? 'latest';
  const trust = await loadTrust(options);
  if (trust.roots.length === 0 && trust.certificates.length === 0) {
    const failure = noTrustFailure();
    throw new CliError('verification-failed', action, failure.message, { hint: failure.hint });
  }
  let verified;
  try {
    verified = await verifyServicePackage(resolve(options.packagePath), {
      trust: { roots: trust.roots, certificates: trust.certificates },
      requireTrust: true,
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'not-found') {
      throw new CliError('not-found', action, (error as Error).message, { cause: error });
    }
    const failure = describeVerificationFailure(error);
    throw new CliError('verification-failed', `${action}: verifying the package (${failure.check})`, failure.message, {
      cause: error,
      hint: failure.hint,
    });
  }
  try {
    await mkdir(directory, { recursive: true });
    const store = new BlobStore(directory);
    const image = await buildServiceImage({
      config: verified.config,
      entries: verified.serviceEntries(),
      created: verified.created,
      sourceDateEpoch: options.sourceDateEpoch,
      store,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    await writeImageLayout(store, image.manifestDigest, directory, { tag });
    // The blob store stages writes in tmp/; an image layout has no such folder, so drop it once empty.
    await rmdir(join(directory, 'tmp')).catch(() => undefined);
    const layer = image.manifest.layers[0];
    return {
      directory,
      tag,
      manifestDigest: image.manifestDigest,
      manifestSize: image.manifestSize,
      configDigest: image.manifest.config.digest,
      serviceConfigDigest: image.manifest.aosService.digest,
      layerDigest: image.layerDigest,
      layerSize: layer?.size ?? 0,
      diffId: image.diffId,
      ...(verified.config.publish.service_uid ? { serviceUid: verified.config.publish.service_uid } : {}),
      ...(verified.config.publish.version ? { version: verified.config.publish.version } : {}),
    };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError('failed', action, (error as Error).message, {
      cause: error,
      hint: `check that ${directory} is writable and has room`,
    });
  } finally {
    await verified.close();
  }
}
