import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestHex, isDigest } from './digest.js';
import { ImageError, isImageError } from './errors.js';
import { HashingStream } from './hashing-stream.js';
import type { StoredBlob } from './types.js';

/** Bytes per read of a blob file (fs.createReadStream's default). */
const READ_CHUNK_BYTES = 64 * 1024;

/** What a caller knows about a blob before storing it; checked before the blob is committed. */
export interface ExpectedBlob {
  digest?: string;
  size?: number;
}

/**
 * Content-addressed blob store laid out as an OCI image layout: `<root>/blobs/sha256/<hex>`.
 *
 * Invariants: a file under blobs/ is only ever created by an atomic rename of a fully written,
 * hashed (and, if the caller said what to expect, checked) temp file from `<root>/tmp/`, so a
 * crash leaves at worst a stray temp file, never a partial blob. Every digest is checked
 * against a strict pattern before it becomes a path. Reads re-hash: `get` fails its stream at
 * the end if the bytes on disk no longer match their name.
 */
export class BlobStore {
  /** Absolute root directory of the store. */
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Path of a blob's file (it need not exist). Throws ImageError 'invalid-digest' for a malformed digest. */
  pathOf(digest: string): string {
    return join(this.root, 'blobs', 'sha256', digestHex(digest));
  }

  /**
   * Store a blob, streaming it to a temp file while hashing it. If `expected` gives a digest or
   * size, a mismatch throws ImageError 'digest-mismatch' and nothing is committed (temp removed).
   * The source is taken over as pipeline() does: it is read to its end or destroyed.
   */
  async put(source: Readable | Buffer | Uint8Array, expected: ExpectedBlob = {}): Promise<StoredBlob> {
    const input = source instanceof Readable ? source : Readable.from([Buffer.from(source)]);
    try {
      if (expected.digest !== undefined) digestHex(expected.digest);
    } catch (error) {
      input.destroy();
      throw error;
    }
    const tempPath = join(this.root, 'tmp', `${randomBytes(12).toString('hex')}.partial`);
    const hashing = new HashingStream({
      checkEnd: (digest, size) => checkExpected(expected, digest, size),
      ...(expected.size === undefined
        ? {}
        : {
            maxBytes: {
              limit: expected.size,
              error: () =>
                new ImageError(
                  'digest-mismatch',
                  `storing blob ${expected.digest ?? ''}: more data than the expected ${expected.size} bytes; the source is not the blob that was announced`,
                ),
            },
          }),
    });
    let writing: Promise<void> = Promise.resolve();
    try {
      // pipeline() listens to the source from this call on, before anything is awaited: a source
      // that fails while the folders are being made is reported here, never left unheard.
      await pipeline(input, hashing, (hashed: AsyncIterable<Buffer>) => (writing = this.#writeTemp(hashed, tempPath)));
      await syncFile(tempPath);
      const finalPath = this.pathOf(hashing.digest);
      await rename(tempPath, finalPath);
      return { digest: hashing.digest, size: hashing.bytes };
    } catch (error) {
      // pipeline() rejects at the first failure, maybe before its last stage has noticed: wait for
      // that stage (its error is this one or a consequence), so no temp file appears after the cleanup.
      await writing.catch(() => {});
      await rm(tempPath, { force: true });
      if (isImageError(error)) throw error;
      throw new ImageError('io', `storing blob in ${this.root}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The last stage of put(): make the store's folders, then write the hashed bytes to the temp file. */
  async #writeTemp(hashed: AsyncIterable<Buffer>, tempPath: string): Promise<void> {
    await mkdir(join(this.root, 'tmp'), { recursive: true });
    await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true });
    await pipeline(hashed, createWriteStream(tempPath, { flags: 'wx' }));
  }

  /**
   * Read a blob as a stream that re-hashes what it reads and fails (ImageError
   * 'digest-mismatch') at the end if the content does not match its digest, or
   * ('not-found') if the blob is missing. Consumers must treat data as untrusted until the end.
   *
   * Nothing is opened or read until the consumer pulls, so every failure reaches the reader
   * that is pulling; a stream that is never read never fails. Destroying the stream closes the file.
   */
  get(digest: string): Readable {
    const path = this.pathOf(digest);
    return Readable.from(readVerified(path, digest, this.root), { objectMode: false, highWaterMark: READ_CHUNK_BYTES });
  }

  /** Read a whole (small) blob into memory, verified. Refuses blobs over `maxBytes` (default 4 MiB). */
  async readBuffer(digest: string, options: { maxBytes?: number } = {}): Promise<Buffer> {
    const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
    const { size } = await this.stat(digest);
    if (size > maxBytes) {
      throw new ImageError(
        'too-large',
        `reading blob ${digest}: ${size} bytes is more than the ${maxBytes} bytes allowed for this kind of blob`,
      );
    }
    const chunks: Buffer[] = [];
    for await (const chunk of this.get(digest)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** True when the blob's file exists (content not checked; use verify). */
  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(digest))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** Size of a stored blob. Throws ImageError 'not-found' when missing. */
  async stat(digest: string): Promise<StoredBlob> {
    try {
      const info = await stat(this.pathOf(digest));
      if (!info.isFile()) throw notFoundError(digest, this.root);
      return { digest, size: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFoundError(digest, this.root);
      throw error;
    }
  }

  /** Re-hash a stored blob. Throws 'digest-mismatch' if it was altered, 'not-found' if missing. The blob is left in place. */
  async verify(digest: string): Promise<StoredBlob> {
    let size = 0;
    for await (const chunk of this.get(digest)) size += (chunk as Buffer).length;
    return { digest, size };
  }

  /** Digests of every blob in the store (files whose names are not sha256 hex are skipped). */
  async *list(): AsyncIterable<string> {
    let names: string[];
    try {
      names = await readdir(join(this.root, 'blobs', 'sha256'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names.sort()) {
      const digest = `sha256:${name}`;
      if (isDigest(digest)) yield digest;
    }
  }

  /** Delete a blob. Returns false when it was not there. No reference counting: the caller decides. */
  async remove(digest: string): Promise<boolean> {
    const path = this.pathOf(digest);
    try {
      await rm(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }
}

/**
 * The bytes of a blob's file in chunks, hashed as they go; after the last chunk, a
 * digest-mismatch error if they are not the blob `digest` names.
 */
async function* readVerified(path: string, digest: string, root: string): AsyncGenerator<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFoundError(digest, root);
    throw readError(digest, error);
  }
  const hash = createHash('sha256');
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK_BYTES, null).catch((error: unknown) => {
        throw readError(digest, error);
      });
      if (bytesRead === 0) break;
      const chunk = bytesRead === READ_CHUNK_BYTES ? buffer : buffer.subarray(0, bytesRead);
      hash.update(chunk);
      yield chunk;
    }
  } finally {
    await handle.close();
  }
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== digest) throw tamperedError(digest, actual);
}

function checkExpected(expected: ExpectedBlob, digest: string, size: number): ImageError | undefined {
  if (expected.size !== undefined && size !== expected.size) {
    return new ImageError(
      'digest-mismatch',
      `storing blob ${expected.digest ?? digest}: got ${size} bytes, expected ${expected.size}; the source is incomplete or not the announced blob`,
    );
  }
  if (expected.digest !== undefined && digest !== expected.digest) {
    return new ImageError(
      'digest-mismatch',
      `storing blob: content hashes to ${digest}, expected ${expected.digest}; the download is corrupt or was tampered with, fetch it again`,
    );
  }
  return undefined;
}

function tamperedError(digest: string, actual: string): ImageError {
  return new ImageError(
    'digest-mismatch',
    `reading blob ${digest}: its content now hashes to ${actual}; the stored blob is corrupt or was tampered with, remove it and fetch it again`,
  );
}

function readError(digest: string, error: unknown): ImageError {
  return new ImageError('io', `reading blob ${digest}: ${(error as Error).message}`, { cause: error });
}

function notFoundError(digest: string, root: string): ImageError {
  return new ImageError('not-found', `blob ${digest} is not in the store at ${root}; store or fetch it first`);
}

/** Flush a written temp file to disk before it is renamed into place, so a power loss cannot leave a committed but empty blob. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
