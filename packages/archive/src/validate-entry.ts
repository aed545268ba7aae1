import { ArchiveError } from './archive-error.js';
import { isConfinedLinkTarget } from './link-target.js';
import type { ArchiveLimits } from './limits.js';
import type { SafeEntry, SafeEntryType } from './safe-entry.js';

/** A header as tar-stream decodes it (fields may be missing or null in hostile archives). */
export interface RawHeader {
  name: string;
  type?: string | null;
  size?: number | null;
  mode?: number | null;
  mtime?: Date | null;
  uid?: number | null;
  gid?: number | null;
  linkname?: string | null;
}

export interface ValidationPolicy {
  limits: ArchiveLimits;
  whiteouts: 'refuse' | 'allow';
  absoluteSymlinks: 'refuse' | 'allow';
}

/** setuid and setgid never survive: a package must not hand out privileges. */
const PERMISSION_MASK = 0o1777;

/**
 * Checks entries one by one, remembering what came before (names, types, sizes) so that
 * duplicates, hard links and paths through symlinks can be judged. One instance per archive.
 */
export class EntryValidator {
  private readonly seen = new Map<string, SafeEntryType>();
  private entryCount = 0;
  private totalBytes = 0;

  constructor(private readonly policy: ValidationPolicy) {}

  get limits(): ArchiveLimits {
    return this.policy.limits;
  }

  /** A SafeEntry (without body), or undefined for the archive root ("./") which is skipped. */
  validate(header: RawHeader): Omit<SafeEntry, 'body'> | undefined {
    const { limits } = this.policy;
    const rawName = header.name;
    this.entryCount += 1;
    if (this.entryCount > limits.maxEntries) {
      throw new ArchiveError(
        'too-many-entries',
        `reading archive: more than ${limits.maxEntries} entries (at ${rawName}); raise maxEntries if this archive is genuine`,
        { entry: rawName },
      );
    }
    const name = normaliseEntryName(rawName);
    const type = toSafeType(header, name);
    if (name === '') {
      if (type === 'directory') return undefined;
      throw new ArchiveError('corrupt', `reading archive: an entry of type ${type} has an empty name`, {
        entry: rawName,
      });
    }
    this.checkWhiteout(name);
    if (this.seen.has(name)) {
      throw new ArchiveError(
        'duplicate-entry',
        `reading archive: ${name} appears twice; an archive must hold each path once`,
        {
          entry: name,
        },
      );
    }
    this.checkParents(name);

    if (type === 'directory' && (header.size ?? 0) > 0) {
      // tar-stream would read the declared content as headers, GNU tar would skip it: refuse rather than disagree.
      throw new ArchiveError(
        'corrupt',
        `reading archive: folder ${name} declares ${header.size ?? 0} bytes of content`,
        { entry: name },
      );
    }
    const size = type === 'file' ? (header.size ?? 0) : 0;
    const entry: Omit<SafeEntry, 'body'> = {
      name,
      type,
      size,
      mode: (header.mode ?? (type === 'directory' ? 0o755 : 0o644)) & PERMISSION_MASK,
      mtime: header.mtime ?? new Date(0),
      uid: header.uid ?? 0,
      gid: header.gid ?? 0,
    };
    if (type === 'symlink') entry.linkname = this.checkSymlink(name, header.linkname ?? '');
    if (type === 'hardlink') entry.linkname = this.checkHardlink(name, header.linkname ?? '');
    if (type === 'file') this.checkSize(name, size);

    // A hard link is as good as the file it names for what may follow.
    this.seen.set(name, type === 'hardlink' ? 'file' : type);
    return entry;
  }

  private checkWhiteout(name: string): void {
    const base = name.slice(name.lastIndexOf('/') + 1);
    if (this.policy.whiteouts === 'refuse' && base.startsWith('.wh.')) {
      throw new ArchiveError(
        'whiteout',
        `reading archive: ${name} is an overlay whiteout (".wh." name), which has no meaning here; remove it from the archive`,
        { entry: name },
      );
    }
  }

  /** Every folder above the entry must be a folder: never a symlink (writes would go through it), never a file. */
  private checkParents(name: string): void {
    let index = name.indexOf('/');
    while (index !== -1) {
      const parent = name.slice(0, index);
      const parentType = this.seen.get(parent);
      if (parentType === 'symlink') {
        throw new ArchiveError(
          'link-escapes',
          `reading archive: ${name} lies under ${parent}, which is a symlink; an archive may not place files through a symlink`,
          { entry: name },
        );
      }
      if (parentType !== undefined && parentType !== 'directory') {
        throw new ArchiveError('corrupt', `reading archive: ${name} lies under ${parent}, which is a file`, {
          entry: name,
        });
      }
      index = name.indexOf('/', index + 1);
    }
  }

  private checkSymlink(name: string, target: string): string {
    if (target === '') {
      throw new ArchiveError('corrupt', `reading archive: symlink ${name} has no target`, { entry: name });
    }
    if (target.startsWith('/')) {
      if (this.policy.absoluteSymlinks === 'allow' && !target.includes('\0')) return target;
      throw new ArchiveError(
        'link-escapes',
        `reading archive: symlink ${name} points to the absolute path ${target}, outside the archive; use a relative target`,
        { entry: name },
      );
    }
    const depth = name.split('/').length - 1;
    if (!isConfinedLinkTarget(target, depth)) {
      throw new ArchiveError(
        'link-escapes',
        `reading archive: symlink ${name} -> ${target} leads outside the archive (or uses ".." after a name); ` +
          'targets may only climb with leading ".." and must stay inside',
        { entry: name },
      );
    }
    return target;
  }

  private checkHardlink(name: string, rawTarget: string): string {
    if (rawTarget.startsWith('/')) {
      throw new ArchiveError(
        'link-escapes',
        `reading archive: hard link ${name} points to the absolute path ${rawTarget}`,
        {
          entry: name,
        },
      );
    }
    let target: string;
    try {
      target = normaliseEntryName(rawTarget);
    } catch (error) {
      throw new ArchiveError(
        'link-escapes',
        `reading archive: hard link ${name} -> ${rawTarget} leads outside the archive`,
        {
          entry: name,
          cause: error,
        },
      );
    }
    if (this.seen.get(target) !== 'file') {
      throw new ArchiveError(
        'link-escapes',
        `reading archive: hard link ${name} -> ${rawTarget} does not name a file earlier in the archive`,
        { entry: name },
      );
    }
    return target;
  }

  private checkSize(name: string, size: number): void {
    const { limits } = this.policy;
    if (size > limits.maxEntryBytes) {
      throw new ArchiveError(
        'entry-too-large',
        `reading archive: ${name} is ${size} bytes, over the limit of ${limits.maxEntryBytes}; raise maxEntryBytes if it is expected`,
        { entry: name },
      );
    }
    this.totalBytes += size;
    if (this.totalBytes > limits.maxTotalBytes) {
      throw new ArchiveError(
        'total-too-large',
        `reading archive: contents pass ${limits.maxTotalBytes} bytes at ${name}; raise maxTotalBytes if this archive is genuine`,
        { entry: name },
      );
    }
  }
}

/**
 * "./a//b/./c/" → "a/b/c". Refuses absolute names and any ".." segment: a ".." that stays
 * inside could still climb out of a folder that is a symlink on disk, and no honest archiver
 * writes one.
 */
export function normaliseEntryName(rawName: string): string {
  if (rawName.includes('\0')) {
    throw new ArchiveError('corrupt', `reading archive: entry name ${JSON.stringify(rawName)} contains NUL`, {
      entry: rawName,
    });
  }
  if (rawName.startsWith('/')) {
    throw new ArchiveError(
      'absolute-path',
      `reading archive: ${rawName} has an absolute path; archives must hold relative paths — repack it from inside its folder`,
      { entry: rawName },
    );
  }
  const segments = rawName.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) {
    throw new ArchiveError(
      'entry-escapes',
      `reading archive: ${rawName} contains "..", which could escape the destination`,
      {
        entry: rawName,
      },
    );
  }
  return segments.join('/');
}

function toSafeType(header: RawHeader, name: string): SafeEntryType {
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      throw new ArchiveError(
        'special-file',
        `reading archive: ${name || header.name} is a ${header.type ?? 'special or unsupported'} entry; ` +
          'only files, folders and links are allowed — create devices and fifos at run time instead',
        { entry: name || header.name },
      );
  }
}
