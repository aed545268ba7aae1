import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';

/** Disk space used under a path, as `du` counts it. */
export interface DirectorySize {
  /** Allocated bytes (512-byte blocks), hard links counted once. */
  usedBytes: number;
  /** False when `maxEntries` stopped the walk: `usedBytes` is then a lower bound. */
  isComplete: boolean;
}

/**
 * Walk `path` without following symlinks and add up the allocated blocks, stopping after
 * `maxEntries` entries so a service with millions of files cannot stall the monitor.
 * A missing path counts as empty.
 */
export async function measureDirectory(path: string, options: { maxEntries?: number } = {}): Promise<DirectorySize> {
  const maxEntries = options.maxEntries ?? 100_000;
  const seen = new Set<string>();
  let usedBytes = 0;
  let entries = 0;
  const pending = [path];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    let info;
    try {
      info = await lstat(current, { bigint: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue; // removed while walking, or no storage yet
      throw new Error(`measuring ${current}: ${(error as Error).message}`, { cause: error });
    }
    entries += 1;
    if (entries > maxEntries) return { usedBytes, isComplete: false };
    const key = `${info.dev}:${info.ino}`;
    if (!seen.has(key)) {
      seen.add(key);
      usedBytes += Number(info.blocks) * 512;
    }
    if (info.isDirectory()) {
      const directory = await opendir(current).catch(() => undefined);
      if (directory === undefined) continue;
      for await (const entry of directory) pending.push(join(current, entry.name));
    }
  }
  return { usedBytes, isComplete: true };
}
