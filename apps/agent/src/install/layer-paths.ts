import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoragePaths } from '../paths.js';

/** Directory of an unpacked layer, by its (compressed) digest. */
export function layerDirectory(paths: StoragePaths, digest: string): string {
  return join(paths.layers, digest.replace(/^sha256:/, ''));
}

/** Remove leftovers of interrupted installs (`layers/*.tmp`, extractLayer's `.*.partial`, partial blobs). */
export async function removeInterruptedInstalls(paths: StoragePaths): Promise<string[]> {
  const entries = await readdir(paths.layers).catch(() => [] as string[]);
  const leftovers = entries.filter((entry) => entry.endsWith('.tmp') || entry.endsWith('.partial'));
  await Promise.all(leftovers.map((entry) => rm(join(paths.layers, entry), { recursive: true, force: true })));
  // BlobStore writes blobs to <images>/tmp/*.partial before renaming them into place.
  const partialBlobs = await readdir(join(paths.images, 'tmp')).catch(() => [] as string[]);
  await rm(join(paths.images, 'tmp'), { recursive: true, force: true });
  return [...leftovers, ...partialBlobs.map((name) => `blob ${name}`)];
}
