import { sql } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { CloudDependencies } from '../dependencies.js';

/**
 * Remove the given blobs unless a remaining service version still lists them. Blobs are
 * content-addressed and shared (two versions with the same layer hold one blob), so a blob is
 * freed only when its last user is gone.
 */
export async function freeBlobs(deps: Pick<CloudDependencies, 'db' | 'blobs'>, digests: string[]): Promise<string[]> {
  const candidates = [...new Set(digests)];
  if (candidates.length === 0) return [];
  const rows = await deps.db
    .select({ digest: sql<string>`jsonb_array_elements_text(${schema.serviceVersions.blobDigests})` })
    .from(schema.serviceVersions);
  const stillUsed = new Set(rows.map((row) => row.digest));
  const freed = candidates.filter((digest) => !stillUsed.has(digest));
  for (const digest of freed) await deps.blobs.remove(digest);
  return freed;
}
