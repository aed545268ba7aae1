import { stat } from 'node:fs/promises';
import { listLogFiles } from '../runtime/log-writer.js';

/**
 * One file of a rotated log, named by what survives its renames (`current.log` → `.1` → `.2`):
 * its birth time and inode. `id` is `<birth ns>-<inode>`.
 */
export interface LogFile {
  path: string;
  id: string;
  /** Birth time in ns (0 on a filesystem that does not record it: then the listing order decides). */
  birthNs: bigint;
  size: number;
  /** Last write (ms since the epoch). */
  mtimeMs: number;
}

/** The id of a file from its stat. */
export function logFileId(birthNs: bigint, inode: bigint): string {
  return `${birthNs}-${inode}`;
}

/**
 * The files of a log, oldest first (`.N` … `.1`, `current.log`), each once. A rotation between
 * the listing and a stat may show a file under two names or not at all: files are deduplicated by
 * id and ordered by birth time (the listing's order where birth times are equal or unknown).
 */
export async function listLogGenerations(log: string): Promise<LogFile[]> {
  const seen = new Map<string, { file: LogFile; rank: number }>();
  const paths = await listLogFiles(log);
  for (const [rank, path] of paths.entries()) {
    const info = await stat(path, { bigint: true }).catch(() => undefined);
    if (!info?.isFile()) continue;
    const id = logFileId(info.birthtimeNs, info.ino);
    if (seen.has(id)) continue;
    seen.set(id, {
      rank,
      file: { path, id, birthNs: info.birthtimeNs, size: Number(info.size), mtimeMs: Number(info.mtimeMs) },
    });
  }
  return [...seen.values()]
    .sort((a, b) =>
      a.file.birthNs !== b.file.birthNs && a.file.birthNs > 0n && b.file.birthNs > 0n
        ? a.file.birthNs < b.file.birthNs
          ? -1
          : 1
        : a.rank - b.rank,
    )
    .map((entry) => entry.file);
}
