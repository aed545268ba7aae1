import { copyFile, rename, stat, truncate, unlink } from 'node:fs/promises';

export interface LogLimits {
  /** Rotate when the current file passes this size. */
  maxBytes: number;
  /** Files kept in all, the current one included (current.log, current.log.1 …). */
  files: number;
}

export const DEFAULT_LOG_LIMITS: LogLimits = { maxBytes: 1024 * 1024, files: 3 };

/**
 * Rotate by copy-truncate: the container (through runc) holds `path` open with O_APPEND, so
 * the file cannot be renamed away; copying it and truncating to 0 lets the writer continue at
 * the new end. Output written between the copy and the truncate is lost (a small window,
 * once per rotation). Returns true when it rotated.
 */
export async function rotateLog(path: string, limits: LogLimits = DEFAULT_LOG_LIMITS): Promise<boolean> {
  const size = await stat(path).then(
    (info) => info.size,
    () => 0,
  );
  if (size <= limits.maxBytes) return false;
  const oldest = `${path}.${limits.files - 1}`;
  await unlink(oldest).catch(() => undefined);
  for (let index = limits.files - 2; index >= 1; index -= 1) {
    await rename(`${path}.${index}`, `${path}.${index + 1}`).catch(() => undefined);
  }
  if (limits.files > 1) await copyFile(path, `${path}.1`);
  await truncate(path, 0);
  return true;
}
