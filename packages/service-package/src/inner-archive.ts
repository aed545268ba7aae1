import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { readTarEntries, type ReadTarOptions, type SafeEntry } from '@openaos/archive';
import { PackageError } from './package-error.js';
import { toPackageError } from './to-package-error.js';

const SERVICE_PREFIX = 'service/';

/** How the inner archive is read: limits and the absolute-symlink policy. */
export type InnerReadOptions = Pick<ReadTarOptions, 'limits' | 'absoluteSymlinks'>;

export interface InnerArchiveHead {
  hasDefaultState: boolean;
}

/**
 * Read the inner archive up to its service/ tree: config.yaml must be there and equal the
 * outer one, default_state.dat may be, nothing else may. aos-signer (Python's make_archive)
 * and `aos sign` both write sorted names, so these come first and this costs a few KiB of
 * inflating; the service/ tree is checked entry by entry when serviceEntries() streams it.
 */
export async function readInnerHead(
  innerPath: string,
  configBytes: Buffer,
  options: InnerReadOptions,
): Promise<InnerArchiveHead> {
  const head: InnerArchiveHead = { hasDefaultState: false };
  let hasConfig = false;
  try {
    for await (const entry of readInner(innerPath, options)) {
      if (entry.name === 'service' || entry.name.startsWith(SERVICE_PREFIX)) break;
      if (entry.name === 'config.yaml' && entry.type === 'file') {
        await checkSameConfig(entry.body as Readable, configBytes);
        hasConfig = true;
      } else if (entry.name === 'default_state.dat' && entry.type === 'file') {
        head.hasDefaultState = true;
        (entry.body as Readable).resume();
      } else {
        throw unexpectedEntry(entry);
      }
    }
  } catch (error) {
    throw toPackageError(error, 'reading the inner service.tar.gz');
  }
  if (!hasConfig) {
    throw new PackageError(
      'bad-layout',
      'reading the inner service.tar.gz: no config.yaml before service/; the package was not made by aos-signer or "aos sign"',
      {
        entry: 'config.yaml',
      },
    );
  }
  return head;
}

/**
 * The service/ tree of the inner archive as safe entries named relative to service/ (rootfs
 * paths). Every entry passes readTarEntries' checks and limits; anything outside the
 * aos-signer layout is refused; the inner config.yaml is compared with the outer one again.
 */
export async function* readServiceEntries(
  innerPath: string,
  configBytes: Buffer,
  options: InnerReadOptions,
): AsyncGenerator<SafeEntry> {
  try {
    for await (const entry of readInner(innerPath, options)) {
      if (entry.name === 'config.yaml' && entry.type === 'file') {
        await checkSameConfig(entry.body as Readable, configBytes);
        continue;
      }
      if (
        (entry.name === 'default_state.dat' && entry.type === 'file') ||
        (entry.name === 'service' && entry.type === 'directory')
      )
        continue;
      if (!entry.name.startsWith(SERVICE_PREFIX)) throw unexpectedEntry(entry);
      const name = entry.name.slice(SERVICE_PREFIX.length);
      if (entry.type === 'hardlink') {
        yield { ...entry, name, linkname: serviceLinkTarget(entry) };
      } else {
        yield { ...entry, name };
      }
    }
  } catch (error) {
    throw toPackageError(error, 'reading the inner service.tar.gz');
  }
}

/** default_state.dat of the inner archive, if any. */
export async function readDefaultState(innerPath: string, options: InnerReadOptions): Promise<Buffer | undefined> {
  try {
    for await (const entry of readInner(innerPath, options)) {
      if (entry.name !== 'default_state.dat' || entry.body === undefined) continue;
      const chunks: Buffer[] = [];
      for await (const chunk of entry.body) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    }
  } catch (error) {
    throw toPackageError(error, 'reading the inner service.tar.gz');
  }
  return undefined;
}

function unexpectedEntry(entry: SafeEntry): PackageError {
  return new PackageError(
    'bad-layout',
    `reading the inner service.tar.gz: unexpected ${entry.type} ${entry.name}; it may hold only config.yaml, default_state.dat and service/`,
    { entry: entry.name },
  );
}

function readInner(innerPath: string, options: InnerReadOptions): AsyncGenerator<SafeEntry> {
  return readTarEntries(createReadStream(innerPath, { highWaterMark: 1024 * 1024 }), options);
}

/** A hard link inside service/ must point inside service/ too; returns the target relative to it. */
function serviceLinkTarget(entry: SafeEntry): string {
  const target = entry.linkname ?? '';
  if (!target.startsWith(SERVICE_PREFIX)) {
    throw new PackageError(
      'unsafe-archive',
      `reading the inner service.tar.gz: hard link ${entry.name} points to ${target}, outside service/`,
      {
        entry: entry.name,
      },
    );
  }
  return target.slice(SERVICE_PREFIX.length);
}

async function checkSameConfig(body: Readable, configBytes: Buffer): Promise<void> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += (chunk as Buffer).length;
    if (length > configBytes.length) break;
    chunks.push(chunk as Buffer);
  }
  if (length !== configBytes.length || !Buffer.concat(chunks).equals(configBytes)) {
    body.destroy();
    throw new PackageError(
      'hash-mismatch',
      'reading the inner service.tar.gz: its config.yaml differs from the signed config.yaml beside it; the package was altered',
      {
        entry: 'service.tar.gz/config.yaml',
      },
    );
  }
}
