/** Bounds applied while reading an archive; crossing one stops the read at once. */
export interface ArchiveLimits {
  /** Entries of any type (directories and links included). */
  maxEntries: number;
  /** Declared size of one file entry, in bytes. */
  maxEntryBytes: number;
  /** Sum of the declared sizes of all file entries (uncompressed), in bytes. */
  maxTotalBytes: number;
  /** Uncompressed bytes per compressed byte, checked continuously while inflating. */
  maxCompressionRatio: number;
  /** Bytes read from the source (compressed size), in bytes. */
  maxArchiveBytes: number;
}

const GiB = 1024 ** 3;

/**
 * Defaults sized for service packages and image layers: generous for real services
 * (a few GiB, many files), small enough that a hostile archive cannot fill a disk.
 */
export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxEntries: 200_000,
  maxEntryBytes: 4 * GiB,
  maxTotalBytes: 8 * GiB,
  maxCompressionRatio: 200,
  maxArchiveBytes: 8 * GiB,
});

/** Fill unset limits from the defaults, rejecting nonsense values early. */
export function resolveLimits(limits: Partial<ArchiveLimits> | undefined): ArchiveLimits {
  const resolved = { ...DEFAULT_ARCHIVE_LIMITS, ...stripUndefined(limits ?? {}) };
  for (const [key, value] of Object.entries(resolved)) {
    if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
      throw new RangeError(`archive limit ${key} must be a positive number, got ${String(value)}`);
    }
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
