import { eq } from 'drizzle-orm';
import { schema } from '@openaos/db';
import { MEDIA_TYPES, serializeCanonicalJson } from '@openaos/image';
import type { CloudDependencies } from '../../dependencies.js';

/**
 * The OCI image index of a service image (AosEdge era B: a desired item names it as
 * `indexDigest`): one manifest entry, platform linux/<architecture of the image config>.
 */
export function createImageIndex(manifest: { digest: string; size: number }, architecture: string): Buffer {
  return Buffer.from(
    serializeCanonicalJson({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.index,
      manifests: [
        {
          mediaType: MEDIA_TYPES.manifest,
          digest: manifest.digest,
          size: manifest.size,
          platform: { architecture, os: 'linux' },
        },
      ],
    }),
  );
}

/**
 * Write the image index of a version built before the unit channel existed (its build wrote none)
 * and record it: `indexDigest`, and the blob in `blobDigests` so deleting the version frees it.
 * Idempotent (the index is content-addressed). Returns the digest, or null when the version has
 * no image (not built).
 */
export async function ensureIndexBlob(
  deps: Pick<CloudDependencies, 'db' | 'blobs'>,
  versionId: string,
): Promise<string | null> {
  const [version] = await deps.db.select().from(schema.serviceVersions).where(eq(schema.serviceVersions.id, versionId));
  if (!version?.imageDigest) return null;
  if (version.indexDigest) return version.indexDigest;
  const manifestSize = await deps.blobs.sizeOf(version.imageDigest);
  if (manifestSize === undefined) return null;
  const index = createImageIndex(
    { digest: version.imageDigest, size: manifestSize },
    version.configSummary?.architecture ?? 'amd64',
  );
  const stored = await deps.blobs.put(index);
  await deps.db
    .update(schema.serviceVersions)
    .set({
      indexDigest: stored.digest,
      blobDigests: [...new Set([...version.blobDigests, stored.digest])],
    })
    .where(eq(schema.serviceVersions.id, versionId));
  return stored.digest;
}
