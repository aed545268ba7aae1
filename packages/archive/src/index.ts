export { ArchiveError, type ArchiveErrorCode } from './archive-error.js';
export { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './limits.js';
export type { SafeEntry, SafeEntryType } from './safe-entry.js';
export { readTarEntries, type ReadTarOptions } from './read-tar-entries.js';
export { extractTar, type ExtractTarOptions, type ExtractTarResult } from './extract-tar.js';
export { createTarWriter, type TarWriter, type TarWriterEntry, type TarWriterOptions } from './create-tar-writer.js';
export {
  scanDirectory,
  type DirectoryEntry,
  type ScanDirectoryOptions,
  type SymlinkPolicy,
} from './scan-directory.js';
export { packDirectory, addDirectoryEntries, type PackDirectoryOptions } from './pack-directory.js';
export { DEFAULT_MTIME } from './tar-header.js';
export { createParallelGzip, type ParallelGzipOptions } from './parallel-gzip.js';
