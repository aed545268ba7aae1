import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { CloudDependencies } from '../dependencies.js';
import { freeBlobs } from './blobs.js';

/** The failure reason of a version whose build was cut off; it tells the SP what to do. */
export const INTERRUPTED_BUILD_REASON =
  'the cloud stopped while building this version (it was killed, crashed or restarted); upload the same version again';

export interface FailedVersion {
  id: string;
  serviceId: string;
  version: string;
}

/**
 * Mark failed every `processing` version whose builder is gone — owned by one of `deadProcessIds`,
 * or by no process (its process row was removed, or it predates process tracking) — and free the
 * blobs its build had announced, unless another version lists them. A version another live process
 * is building is never touched. Safe to run in several processes at once: each version is taken
 * by one of them (row locks, skipping rows another sweep holds).
 */
export async function failInterruptedBuilds(
  deps: Pick<CloudDependencies, 'db' | 'blobs'>,
  deadProcessIds: string[],
): Promise<FailedVersion[]> {
  const versions = schema.serviceVersions;
  const ownerIsGone = or(
    isNull(versions.processingOwner),
    deadProcessIds.length > 0 ? inArray(versions.processingOwner, deadProcessIds) : undefined,
  );
  const taken = await deps.db.transaction(async (tx) => {
    const rows = await tx
      .select({
        id: versions.id,
        serviceId: versions.serviceId,
        version: versions.version,
        blobDigests: versions.blobDigests,
      })
      .from(versions)
      .where(and(eq(versions.state, 'processing'), ownerIsGone))
      .for('update', { skipLocked: true });
    if (rows.length === 0) return [];
    await tx
      .update(versions)
      .set({ state: 'failed', failureReason: INTERRUPTED_BUILD_REASON, blobDigests: [], processingOwner: null })
      .where(
        inArray(
          versions.id,
          rows.map((row) => row.id),
        ),
      );
    return rows;
  });
  // After the rows stopped listing them: freeBlobs keeps what any other version still lists.
  await freeBlobs(
    deps,
    taken.flatMap((row) => row.blobDigests),
  );
  return taken.map(({ id, serviceId, version }) => ({ id, serviceId, version }));
}
