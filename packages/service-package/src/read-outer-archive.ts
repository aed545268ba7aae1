import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readTarEntries, type ArchiveLimits } from '@openaos/archive';
import { createHashingTap, hashBuffer } from './hash-stream.js';
import { PackageError } from './package-error.js';
import { toPackageError } from './to-package-error.js';

/** config.yaml and package.sign are read into memory: bound them. */
const MAX_SMALL_FILE_BYTES = 1024 * 1024;

export interface OuterArchive {
  configBytes: Buffer;
  configHash: string;
  signature: string;
  /** mtime of package.sign in the archive: when the package was signed. */
  signedAt: Date;
  /** Where the inner service.tar.gz was copied. */
  innerPath: string;
  innerHash: string;
  innerSize: number;
}

const EXPECTED = ['config.yaml', 'package.sign', 'service.tar.gz'] as const;

/**
 * Stream the outer archive once: keep config.yaml and package.sign in memory, copy the inner
 * service.tar.gz to `tempDir` while hashing it. Anything but those three files is refused.
 */
export async function readOuterArchive(
  path: string,
  tempDir: string,
  limits: Partial<ArchiveLimits> | undefined,
): Promise<OuterArchive> {
  let configBytes: Buffer | undefined;
  let signature: Buffer | undefined;
  let signedAt: Date | undefined;
  let inner: { hash: string; size: number } | undefined;
  const innerPath = join(tempDir, 'service.tar.gz');
  try {
    for await (const entry of readTarEntries(createReadStream(path), limits === undefined ? {} : { limits })) {
      if (entry.type !== 'file' || !(EXPECTED as readonly string[]).includes(entry.name)) {
        throw new PackageError(
          'bad-layout',
          `reading ${path}: unexpected ${entry.type} ${entry.name}; a service package holds exactly config.yaml, package.sign and service.tar.gz`,
          { entry: entry.name },
        );
      }
      const body = entry.body as Readable;
      if (entry.name === 'service.tar.gz') {
        const tap = createHashingTap();
        await pipeline(body, tap.stream, createWriteStream(innerPath, { flags: 'wx' }));
        inner = tap.result();
      } else if (entry.name === 'config.yaml') {
        configBytes = await readSmall(body, entry.name, entry.size, path);
      } else {
        signature = await readSmall(body, entry.name, entry.size, path);
        signedAt = entry.mtime;
      }
    }
  } catch (error) {
    throw toPackageError(error, `reading ${path}`);
  }
  const missing = [
    configBytes === undefined && 'config.yaml',
    signature === undefined && 'package.sign',
    inner === undefined && 'service.tar.gz',
  ].filter((name): name is string => name !== false);
  if (
    missing.length > 0 ||
    configBytes === undefined ||
    signature === undefined ||
    inner === undefined ||
    signedAt === undefined
  ) {
    throw new PackageError(
      'bad-layout',
      `reading ${path}: missing ${missing.join(', ')}; is this a service package made by "aos sign" or aos-signer?`,
      {
        ...(missing[0] === undefined ? {} : { entry: missing[0] }),
      },
    );
  }
  return {
    configBytes,
    configHash: hashBuffer(configBytes),
    signature: signature.toString('utf8'),
    signedAt,
    innerPath,
    innerHash: inner.hash,
    innerSize: inner.size,
  };
}

async function readSmall(body: Readable, name: string, size: number, path: string): Promise<Buffer> {
  if (size > MAX_SMALL_FILE_BYTES) {
    body.destroy();
    throw new PackageError(
      'bad-layout',
      `reading ${path}: ${name} is ${size} bytes, more than ${MAX_SMALL_FILE_BYTES}; it cannot be genuine`,
      { entry: name },
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
