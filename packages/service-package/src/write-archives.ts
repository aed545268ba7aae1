import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { availableParallelism } from 'node:os';
import {
  addDirectoryEntries,
  createParallelGzip,
  createStoredGzip,
  createTarWriter,
  type DirectoryEntry,
  type TarWriter,
} from '@openaos/archive';
import { createHashingTap, createPackageDigestTap } from './hash-stream.js';

/**
 * gzip level of the inner archive: 6, what gzip and `tar -cz` use. Level 9 (aos-signer's
 * "max compression") costs about twice the time for a percent or two of size. Compressed
 * in 1 MiB blocks on the thread pool (createParallelGzip): compressing is most of the work.
 * As many blocks in flight as there are cores (at most 3: libuv has 4 threads and the file
 * reads and writes need one); the output does not depend on it.
 */
const INNER_GZIP_LEVEL = 6;
const INNER_GZIP_THREADS = Math.min(3, availableParallelism());
/*
 * The outer archive is not compressed: stored deflate blocks (createStoredGzip). Its content
 * is the already-compressed inner archive, so compressing again gains nothing, and even level 1
 * spends seconds per 100 MB trying; stored blocks are still a gzip every reader accepts.
 */

export interface InnerArchiveParts {
  configBytes: Buffer;
  /** meta/<state.filename>, when configuration.state.required. */
  state?: { path: string; size: number };
  entries: DirectoryEntry[];
  mtime: Date;
  onBytes?: (bytes: number) => void;
  onFile?: (path: string, size: number) => void;
}

/**
 * Write the inner service.tar.gz in one pass: tar → gzip → SHA3-512 + size → file. Entries as
 * Python's make_archive writes them from aos-signer's temp folder: "./", "./config.yaml",
 * "./default_state.dat", "./service/", "./service/…" (sorted).
 */
export async function writeInnerArchive(
  path: string,
  parts: InnerArchiveParts,
): Promise<{ hash: string; size: number }> {
  const writer = createTarWriter({ mtime: parts.mtime });
  const tap = createHashingTap();
  const writing = pipeline(
    writer.stream,
    createParallelGzip({ level: INNER_GZIP_LEVEL, concurrency: INNER_GZIP_THREADS }),
    tap.stream,
    createWriteStream(path, { flags: 'wx' }),
  );
  await settle(
    (async () => {
      await writer.add({ name: './', type: 'directory', size: 0, mode: 0o755 });
      await writer.add({
        name: './config.yaml',
        type: 'file',
        size: parts.configBytes.length,
        mode: 0o644,
        body: parts.configBytes,
      });
      if (parts.state !== undefined) {
        await writer.add({
          name: './default_state.dat',
          type: 'file',
          size: parts.state.size,
          mode: 0o644,
          body: createReadStream(parts.state.path),
        });
      }
      await writer.add({ name: './service/', type: 'directory', size: 0, mode: 0o755 });
      await addDirectoryEntries(writer, parts.entries, {
        prefix: './service/',
        mtime: parts.mtime,
        ...(parts.onBytes === undefined ? {} : { onBytes: parts.onBytes }),
        ...(parts.onFile === undefined ? {} : { onFile: parts.onFile }),
      });
      writer.finish();
    })(),
    writing,
    writer,
  );
  return tap.result();
}

export interface OuterArchiveParts {
  configBytes: Buffer;
  signature: string;
  inner: { path: string; size: number };
  mtime: Date;
  /** The mtime of package.sign: when it was signed. */
  signedAt: Date;
}

/**
 * Write the outer service.tar.gz: "./", "./config.yaml", "./package.sign", "./service.tar.gz".
 * package.sign carries the signing time as its mtime (as in aos-signer's packages), the others `mtime`.
 */
export async function writeOuterArchive(
  path: string,
  parts: OuterArchiveParts,
): Promise<{ sha256: string; sha3_512: string }> {
  const writer = createTarWriter({ mtime: parts.mtime });
  const tap = createPackageDigestTap();
  const writing = pipeline(writer.stream, createStoredGzip(), tap.stream, createWriteStream(path, { flags: 'wx' }));
  const signature = Buffer.from(parts.signature, 'utf8');
  await settle(
    (async () => {
      await writer.add({ name: './', type: 'directory', size: 0, mode: 0o755 });
      await writer.add({
        name: './config.yaml',
        type: 'file',
        size: parts.configBytes.length,
        mode: 0o644,
        body: parts.configBytes,
      });
      await writer.add({
        name: './package.sign',
        type: 'file',
        size: signature.length,
        mode: 0o644,
        mtime: parts.signedAt,
        body: signature,
      });
      await writer.add({
        name: './service.tar.gz',
        type: 'file',
        size: parts.inner.size,
        mode: 0o644,
        body: createReadStream(parts.inner.path, { highWaterMark: 1024 * 1024 }),
      });
      writer.finish();
    })(),
    writing,
    writer,
  );
  return tap.result();
}

/**
 * Wait for the producer and the pipeline together. Either failing stops the other; the
 * producer's error (a source problem: symlink, changed file) explains more than the
 * pipeline's "premature close" it causes, so it wins.
 */
async function settle(producing: Promise<void>, writing: Promise<void>, writer: TarWriter): Promise<void> {
  const [produced, written] = await Promise.allSettled([
    producing.catch((error: unknown) => {
      writer.stream.destroy(error as Error);
      throw error;
    }),
    writing,
  ]);
  if (produced.status === 'rejected') throw produced.reason;
  if (written.status === 'rejected') throw written.reason;
}
