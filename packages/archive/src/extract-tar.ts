import { constants } from 'node:fs';
import { chmod, link, lstat, lutimes, mkdir, open, symlink, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { ArchiveError } from './archive-error.js';
import { readTarEntries, type ReadTarOptions } from './read-tar-entries.js';
import type { SafeEntry } from './safe-entry.js';

export interface ExtractTarOptions extends ReadTarOptions {
  /** Called for each entry once it is on disk. */
  onEntry?: (entry: Omit<SafeEntry, 'body'>) => void;
}

export interface ExtractTarResult {
  entries: number;
  /** Bytes of file content written. */
  bytes: number;
}

/** Exclusive create, never through a symlink at the last component. */
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Extract a tar into `destination` (created if missing, once the first entry has been read). Every entry is validated by
 * readTarEntries first; on top of that, nothing is ever written through a symlink on disk:
 * each parent folder is checked with lstat (and created by us when missing), files are created
 * with O_EXCL|O_NOFOLLOW, and nothing existing is replaced. setuid/setgid bits are dropped,
 * ownership is not applied (files belong to the extracting user). Folder modes and mtimes are
 * applied last, so a read-only folder can still be filled.
 *
 * On failure what was already written stays: extract into a staging folder and remove it on error.
 */
export async function extractTar(
  source: Readable,
  destination: string,
  options: ExtractTarOptions = {},
): Promise<ExtractTarResult> {
  const root = resolve(destination);
  // Nothing is awaited before the loop starts reading: readTarEntries listens to the source
  // from its first step, so a source that fails early fails this call instead of being unheard.
  let isRootMade = false;
  const checkedFolders = new Set<string>(['']);
  const folders: { path: string; mode: number; mtime: Date }[] = [];
  let entries = 0;
  let bytes = 0;

  for await (const entry of readTarEntries(source, options)) {
    if (!isRootMade) {
      await mkdir(root, { recursive: true });
      isRootMade = true;
    }
    const path = join(root, entry.name);
    await ensureParents(root, entry.name, checkedFolders);
    try {
      switch (entry.type) {
        case 'directory':
          await makeFolder(path, entry.name);
          checkedFolders.add(entry.name);
          folders.push({ path, mode: entry.mode, mtime: entry.mtime });
          break;
        case 'file':
          bytes += await writeFile(path, entry);
          break;
        case 'symlink':
          await symlink(entry.linkname ?? '', path);
          await lutimes(path, entry.mtime, entry.mtime);
          break;
        case 'hardlink':
          // linkname is an earlier file entry, created by us under checked folders.
          await link(join(root, entry.linkname ?? ''), path);
          break;
      }
    } catch (error) {
      if (error instanceof ArchiveError) throw error;
      throw new ArchiveError('write-failed', `extracting ${entry.name} into ${root}: ${(error as Error).message}`, {
        entry: entry.name,
        cause: error,
      });
    }
    entries += 1;
    const { body: _body, ...described } = entry;
    options.onEntry?.(described);
  }

  if (!isRootMade) await mkdir(root, { recursive: true });
  // Deepest first, so setting a parent's mtime is not undone by changes below it.
  for (const folder of folders.reverse()) {
    await chmod(folder.path, folder.mode & 0o1777);
    await utimes(folder.path, folder.mtime, folder.mtime);
  }
  return { entries, bytes };
}

/** Make sure every folder above `name` is a real folder inside root, creating missing ones. */
async function ensureParents(root: string, name: string, checked: Set<string>): Promise<void> {
  const segments = name.split('/');
  let relative = '';
  for (const segment of segments.slice(0, -1)) {
    relative = relative === '' ? segment : `${relative}/${segment}`;
    if (checked.has(relative)) continue;
    await makeFolder(join(root, relative), name);
    checked.add(relative);
  }
}

/** mkdir, or accept an existing real folder; anything else (a symlink above all) is refused. */
async function makeFolder(path: string, entryName: string): Promise<void> {
  try {
    await mkdir(path, { mode: 0o755 });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = await lstat(path);
  if (!stat.isDirectory()) {
    throw new ArchiveError(
      'link-escapes',
      `extracting ${entryName}: ${path} already exists and is ${stat.isSymbolicLink() ? 'a symlink' : 'not a folder'}; ` +
        'refusing to write through it — extract into an empty folder',
      { entry: entryName },
    );
  }
}

async function writeFile(path: string, entry: SafeEntry): Promise<number> {
  const handle = await open(path, CREATE_FLAGS, 0o600);
  let written = 0;
  try {
    if (entry.body !== undefined) {
      for await (const chunk of entry.body as AsyncIterable<Buffer>) {
        await handle.write(chunk);
        written += chunk.length;
      }
    }
    // Permission bits only: setuid/setgid were dropped when reading, the sticky bit means nothing on files.
    await handle.chmod(entry.mode & 0o777);
    await handle.utimes(entry.mtime, entry.mtime);
  } finally {
    await handle.close();
  }
  return written;
}
