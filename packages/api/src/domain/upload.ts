import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { schema, type ConfigSummary } from '@openaos/db';
import { BlobStore, buildServiceImage, type BuiltServiceImage } from '@openaos/image';
import { PackageError, verifyServicePackage, type VerifiedPackage } from '@openaos/service-package';
import { formatProblems, ConfigError } from '@openaos/config';
import { requireRole, type Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { ApiError } from '../errors.js';
import { freeBlobs } from './blobs.js';
import { announceCatalogueChange, announceServiceChange } from './desired-status/announce.js';
import { createImageIndex } from './desired-status/index-blob.js';
import { findCertificateOwner } from './certificate-token.js';
import { findVisible, requireOwner } from './service-access.js';
import { compareSemver, isSemver } from './semver.js';
import { databaseErrorCode, onlyRow } from './util.js';
import { cloudMetrics, timeWork } from '../metrics/cloud-metrics.js';

export interface UploadInput {
  /** The Service ID (multipart field `service`). */
  serviceId: string;
  /** The version being uploaded (multipart field `version`); must equal `publish.version`. */
  version: string;
  /** The package, already on disk (the transport streamed it there). The caller removes it. */
  packagePath: string;
  packageSize: number;
}

export interface UploadResult {
  id: string;
  version: string;
  state: 'ready' | 'failed';
  failureReason?: string;
}

/**
 * Accept an uploaded service package as a new version of a service, aos-signer 1.x style:
 *
 * 1. the caller is an SP user of the organisation that owns the service;
 * 2. the version is SemVer and greater than every version not failed;
 * 3. the signature verifies and its certificate chains to the cloud's CA, and the signer is an
 *    active user of the owning organisation (a credential of another SP, or revoked, is refused);
 * 4. `publish.service_uid` and `publish.version` of the signed config match the request;
 * 5. the OCI image is built into a private temporary store and only then copied into the blob
 *    storage with the package, and the version becomes `ready`.
 *
 * Steps 1–4 throw ApiError and leave nothing behind. A failure in step 5 records the version as
 * `failed` with the reason (so the console shows it) and frees the blobs it announced that no
 * other version lists. The version is marked with this process's id while it is `processing`: if
 * the process dies, another one (or this one's next start) fails it (see cloud-maintenance.ts).
 */
export async function uploadServiceVersion(
  deps: CloudDependencies,
  actor: Actor,
  input: UploadInput,
): Promise<UploadResult> {
  requireRole(actor, ['sp'], 'uploading a service version');
  const { service } = await findVisible(deps.db, actor, input.serviceId);
  requireOwner(actor, service, `uploading to service "${service.title}"`);
  if (input.packageSize > deps.maxUploadBytes) {
    throw new ApiError(
      'payload-too-large',
      `uploading ${service.title} ${input.version}: the package has ${input.packageSize} bytes; the limit is ${deps.maxUploadBytes}`,
    );
  }
  if (!isSemver(input.version)) {
    throw new ApiError(
      'invalid-input',
      `uploading ${service.title}: version "${input.version}" is not SemVer (e.g. 1.2.3); fix publish.version in meta/config.yaml`,
    );
  }
  await requireNewerVersion(deps, service, input.version);

  const verified = await verifyPackage(deps, service.organisationId, input.packagePath);
  try {
    await requireSignerOfOwner(deps, verified, service);
    const publish = verified.config.publish;
    if (publish.service_uid !== service.id) {
      throw new ApiError(
        'service-mismatch',
        `uploading to service ${service.id}: the package was made for service ${publish.service_uid ?? '(none)'} (publish.service_uid); set it to ${service.id} in meta/config.yaml and sign again`,
      );
    }
    if (publish.version !== input.version) {
      throw new ApiError(
        'service-mismatch',
        `uploading version ${input.version}: the signed config says publish.version ${publish.version ?? '(none)'}; they must be the same`,
      );
    }
    const versionId = await insertProcessingVersion(deps, actor, service, input.version, verified);
    await announceCatalogueChange(deps, service.id); // shown as processing while it builds
    return await buildAndStore(deps, verified, input, versionId);
  } finally {
    await verified.close();
  }
}

async function requireNewerVersion(
  deps: CloudDependencies,
  service: { id: string; title: string },
  version: string,
): Promise<void> {
  const existing = await deps.db
    .select({ version: schema.serviceVersions.version, state: schema.serviceVersions.state })
    .from(schema.serviceVersions)
    .where(eq(schema.serviceVersions.serviceId, service.id));
  const blocking = existing
    .filter((row) => row.state !== 'failed' && compareSemver(row.version, version) >= 0)
    .map((row) => row.version);
  if (blocking.length > 0) {
    blocking.sort(compareSemver);
    throw new ApiError(
      'version-not-newer',
      `uploading ${service.title} ${version}: version ${blocking.at(-1)} exists; a new version must be greater than every existing one — raise publish.version and sign again`,
    );
  }
}

async function verifyPackage(deps: CloudDependencies, organisationId: string, path: string): Promise<VerifiedPackage> {
  // Packages made by aos-signer carry no x5c, only a kid: offer the leaf certificates of the
  // owning organisation's active credentials for the lookup. They still must chain to our CA.
  const credentials = await deps.db
    .select({ pem: schema.userCredentials.certificatePem })
    .from(schema.userCredentials)
    .innerJoin(schema.users, eq(schema.userCredentials.userId, schema.users.id))
    .where(and(eq(schema.users.organisationId, organisationId), isNull(schema.userCredentials.revokedAt)));
  const tempDirectory = deps.tempDirectory;
  await mkdir(tempDirectory, { recursive: true });
  try {
    return await verifyServicePackage(path, {
      trust: {
        roots: [deps.authority.certificate],
        certificates: credentials.map((row) => new X509Certificate(row.pem)),
      },
      requireTrust: true,
      tempDirectory,
    });
  } catch (error) {
    if (error instanceof PackageError) {
      const where = error.entry ? ` (${error.entry})` : '';
      if (error.code === 'untrusted-signer') {
        throw new ApiError(
          'untrusted-signer',
          `verifying the package signature: ${error.message}${where}; sign with a credential downloaded from this cloud`,
          { cause: error },
        );
      }
      const problems = error.cause instanceof ConfigError ? error.cause.problems : undefined;
      throw new ApiError(
        'package-invalid',
        `verifying the package: ${error.message}${where}${problems ? `\n${formatProblems(problems)}` : ''}`,
        {
          cause: error,
          details: {
            packageError: error.code,
            ...(error.entry ? { entry: error.entry } : {}),
            ...(problems ? { problems } : {}),
          },
        },
      );
    }
    if (error instanceof ConfigError) {
      throw new ApiError(
        'package-invalid',
        `validating the package's config.yaml:\n${formatProblems(error.problems)}`,
        { cause: error, details: { problems: error.problems } },
      );
    }
    throw new ApiError('package-invalid', `reading the package: ${(error as Error).message}`, { cause: error });
  }
}

async function requireSignerOfOwner(
  deps: CloudDependencies,
  verified: VerifiedPackage,
  service: { organisationId: string; title: string },
): Promise<void> {
  const signer = await findCertificateOwner(deps, verified.signer.certificate);
  const who = verified.signer.subject.commonName ?? verified.signer.certificate.subject;
  if (!signer) {
    throw new ApiError(
      'wrong-signer',
      `checking the package signer: the certificate of "${who}" is not an active credential of this cloud (revoked, or its user deactivated); download a new credential`,
    );
  }
  if (signer.organisationId !== service.organisationId) {
    throw new ApiError(
      'wrong-signer',
      `checking the package signer: "${who}" does not belong to the organisation that owns "${service.title}"; sign with a credential of that organisation`,
    );
  }
}

async function insertProcessingVersion(
  deps: CloudDependencies,
  actor: Actor,
  service: { id: string },
  version: string,
  verified: VerifiedPackage,
): Promise<string> {
  try {
    return await deps.db.transaction(async (tx) => {
      // A failed attempt at this version makes room for the new one.
      const failed = await tx
        .delete(schema.serviceVersions)
        .where(
          and(
            eq(schema.serviceVersions.serviceId, service.id),
            eq(schema.serviceVersions.version, version),
            eq(schema.serviceVersions.state, 'failed'),
          ),
        )
        .returning();
      void failed;
      const rows = await tx
        .insert(schema.serviceVersions)
        .values({
          serviceId: service.id,
          version,
          state: 'processing',
          processingOwner: deps.process.id,
          uploadedBy: actor.userId,
          signerFingerprint: verified.signer.certificate.fingerprint256,
        })
        .returning({ id: schema.serviceVersions.id });
      return onlyRow(rows, `registering version ${version}`).id;
    });
  } catch (error) {
    if (databaseErrorCode(error) === '23505') {
      throw new ApiError(
        'version-not-newer',
        `uploading version ${version}: another upload of this version is in progress or finished; raise publish.version`,
        { cause: error },
      );
    }
    throw error;
  }
}

async function buildAndStore(
  deps: CloudDependencies,
  verified: VerifiedPackage,
  input: UploadInput,
  versionId: string,
): Promise<UploadResult> {
  const buildDirectory = join(deps.tempDirectory, `build-${randomBytes(8).toString('hex')}`);
  let announced: string[] = [];
  try {
    const store = new BlobStore(buildDirectory);
    let image: BuiltServiceImage;
    try {
      image = await timeWork(
        cloudMetrics.imageBuildSeconds,
        () =>
          buildServiceImage({
            config: verified.config,
            entries: verified.serviceEntries(),
            created: verified.created,
            sourceDateEpoch: deps.sourceDateEpoch,
            store,
          }),
        ({ error }) => ({ result: error === undefined ? 'ok' : 'failed' }),
      );
    } catch (error) {
      // The service/ tree is checked as it streams into the layer: an unsafe entry surfaces here,
      // and it is the package's fault, not the image builder's.
      const packageFault = findPackageError(error);
      if (packageFault) {
        const where = packageFault.entry ? ` (entry ${packageFault.entry})` : '';
        throw new ApiError('package-invalid', `reading the package's service tree: ${packageFault.message}${where}`, {
          cause: error,
        });
      }
      throw new ApiError('image-build-failed', `building the OCI image: ${(error as Error).message}`, { cause: error });
    }
    // The image index (era B: what a desired item names), written with the image.
    const index = await store.put(
      createImageIndex({ digest: image.manifestDigest, size: image.manifestSize }, image.imageConfig.architecture),
    );
    // Only now, after every check passed and the image is complete, do blobs reach the storage.
    const digests: string[] = [];
    for await (const digest of store.list()) digests.push(digest);
    const packageDigest = await digestFile(input.packagePath);
    // Announce the blobs on the row before copying them: if this process dies half-way, whoever
    // fails the version knows what to free (and no one frees them while it builds).
    announced = [...new Set([...digests, packageDigest])];
    await updateOwnVersion(deps, versionId, { blobDigests: announced });
    for (const digest of digests) await deps.blobs.put(store.get(digest), { digest });
    const packageBlob = await deps.blobs.put(createReadStream(input.packagePath), {
      digest: packageDigest,
      size: input.packageSize,
    });
    const manifest = image.manifest;
    const imageSize =
      image.manifestSize +
      manifest.config.size +
      manifest.aosService.size +
      manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
    const summary: ConfigSummary = {
      runners: image.serviceConfig.runners,
      architecture: image.imageConfig.architecture,
      cmd: [...(image.imageConfig.config.Entrypoint ?? []), ...(image.imageConfig.config.Cmd ?? [])],
      quotas: Object.fromEntries(
        Object.entries(image.serviceConfig.quotas ?? {}).filter(
          (entry): entry is [string, number] => typeof entry[1] === 'number',
        ),
      ),
      hasDefaultState: verified.hasDefaultState,
      files: verified.files.length,
      ...(verified.config.configuration.instances && { instances: { ...verified.config.configuration.instances } }),
    };
    await updateOwnVersion(deps, versionId, {
      state: 'ready',
      processingOwner: null,
      packageDigest: packageBlob.digest,
      packageSize: packageBlob.size,
      imageDigest: image.manifestDigest,
      imageSize,
      indexDigest: index.digest,
      configSummary: summary,
    });
    // Units in verification sets bound to this service get it now.
    await announceServiceChange(deps, input.serviceId);
    return { id: versionId, version: input.version, state: 'ready' };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // If another process already failed it (this one was taken for dead), its reason stays.
    await deps.db
      .update(schema.serviceVersions)
      .set({ state: 'failed', failureReason: reason, blobDigests: [], processingOwner: null })
      .where(isOwnProcessingVersion(deps, versionId));
    await freeBlobs(deps, announced).catch(() => undefined);
    await announceCatalogueChange(deps, input.serviceId);
    return { id: versionId, version: input.version, state: 'failed', failureReason: reason };
  } finally {
    await rm(buildDirectory, { recursive: true, force: true });
  }
}

/** The version is still `processing` and still this process's to build. */
function isOwnProcessingVersion(deps: CloudDependencies, versionId: string) {
  return and(
    eq(schema.serviceVersions.id, versionId),
    eq(schema.serviceVersions.state, 'processing'),
    eq(schema.serviceVersions.processingOwner, deps.process.id),
  );
}

/**
 * Update the version this process builds; throws when it is no longer its own — another process
 * took this one for dead (no heartbeat for a lease) and failed the version meanwhile.
 */
async function updateOwnVersion(
  deps: CloudDependencies,
  versionId: string,
  values: Partial<typeof schema.serviceVersions.$inferInsert>,
): Promise<void> {
  const rows = await deps.db
    .update(schema.serviceVersions)
    .set(values)
    .where(isOwnProcessingVersion(deps, versionId))
    .returning({ id: schema.serviceVersions.id });
  if (rows.length === 0) {
    throw new ApiError(
      'internal',
      'building the image: another cloud process marked this version failed meanwhile (this one missed its heartbeat); upload it again',
    );
  }
}

async function digestFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** The PackageError somewhere in an error's cause chain, if any. */
function findPackageError(error: unknown): PackageError | undefined {
  for (
    let current: unknown = error, depth = 0;
    current instanceof Error && depth < 8;
    current = current.cause, depth++
  ) {
    if (current instanceof PackageError) return current;
  }
  return undefined;
}
