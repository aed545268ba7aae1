import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { ArchiveError } from './archive-error.js';
import { decodeSource } from './decode-source.js';
import { resolveLimits, type ArchiveLimits } from './limits.js';
import type { SafeEntry } from './safe-entry.js';

type TarEntrySource = tarStream.Extract extends AsyncIterable<infer S> ? S : never;
import { EntryValidator } from './validate-entry.js';

export interface ReadTarOptions {
  limits?: Partial<ArchiveLimits>;
  /** OCI whiteouts (".wh.*") are refused unless 'allow'. */
  whiteouts?: 'refuse' | 'allow';
  /**
   * Absolute symlink targets point outside the archive root and are refused unless 'allow'
   * (a container rootfs may want them: they resolve inside the container's root).
   */
  absoluteSymlinks?: 'refuse' | 'allow';
}

/**
 * Stream the entries of a tar (gzip detected by its magic bytes), refusing unsafe ones with an
 * ArchiveError naming the entry. Each entry is validated before it is yielded; the archive
 * root ("./") is skipped. Read each body before asking for the next entry: an unread body is
 * destroyed (its bytes skipped) when the next entry is requested. Breaking out of the loop
 * destroys the source. The source is listened to from the first step of the iteration: start it
 * before awaiting anything else, or an error the source emits meanwhile has no listener.
 */
export async function* readTarEntries(source: Readable, options: ReadTarOptions = {}): AsyncGenerator<SafeEntry> {
  const validator = new EntryValidator({
    limits: resolveLimits(options.limits),
    whiteouts: options.whiteouts ?? 'refuse',
    absoluteSymlinks: options.absoluteSymlinks ?? 'refuse',
  });
  const decoded = await decodeSource(source, validator.limits);
  const extract = tarStream.extract();
  const pumping = pump(decoded.stream, extract);
  let body: Readable | undefined;
  try {
    for await (const raw of extract) {
      if (body !== undefined && !body.readableEnded) body.destroy();
      body = undefined;
      const entry = validator.validate(raw.header);
      if (entry === undefined || entry.type !== 'file') {
        raw.resume();
        if (entry !== undefined) yield entry;
        continue;
      }
      body = wrapBody(raw);
      yield { ...entry, body };
    }
    await pumping;
  } catch (error) {
    throw toArchiveError(error);
  } finally {
    if (body !== undefined && !body.readableEnded) body.destroy();
    decoded.stream.destroy();
    source.destroy();
    extract.destroy();
  }
}

/** Feed tar bytes into tar-stream's parser with backpressure; a failure destroys the parser with it. */
async function pump(stream: Readable, extract: tarStream.Extract): Promise<void> {
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (extract.destroyed) return;
      if (!extract.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            extract.off('drain', done);
            extract.off('close', done);
            resolve();
          };
          extract.on('drain', done);
          extract.on('close', done);
        });
      }
    }
    if (!extract.destroyed) extract.end(undefined);
  } catch (error) {
    extract.destroy(error as Error);
  }
}

/**
 * tar-stream hands out streamx streams, and destroying one destroys the whole parser. Wrap
 * each body in a node:stream Readable whose destroy() only skips the rest of that entry.
 */
function wrapBody(raw: TarEntrySource): Readable {
  let isDiscarding = false;
  const body = new Readable({
    highWaterMark: 256 * 1024,
    read() {
      raw.resume();
    },
    destroy(error, callback) {
      isDiscarding = true;
      raw.resume();
      callback(error);
    },
  });
  raw.on('data', (chunk) => {
    if (isDiscarding) return;
    if (!body.push(chunk as Buffer)) raw.pause();
  });
  raw.on('end', () => {
    if (!isDiscarding) body.push(null);
  });
  raw.on('error', (error: Error) => {
    if (!isDiscarding) body.destroy(toArchiveError(error));
  });
  return body;
}

/** tar-stream and zlib report plain Errors; say that the archive is broken and what to do. */
function toArchiveError(error: unknown): Error {
  if (error instanceof ArchiveError) return error;
  // I/O errors of the source (ENOENT, EIO …) are not the archive's fault: pass them on as they are.
  if (error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string') return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ArchiveError(
    'corrupt',
    `reading archive: ${message}; the file is truncated or not a tar(.gz) — download or build it again`,
    {
      cause: error,
    },
  );
}
