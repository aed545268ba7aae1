import { Readable } from 'node:stream';
import { ArchiveError } from './archive-error.js';
import type { SafeEntry } from './safe-entry.js';
import { DEFAULT_MTIME, END_OF_ARCHIVE, encodeHeaders, padding, type HeaderType } from './tar-header.js';

export type TarWriterEntry = Omit<SafeEntry, 'body' | 'mtime' | 'uid' | 'gid'> & {
  /** File content: exactly `size` bytes. */
  body?: Readable | Buffer | AsyncIterable<Buffer>;
  mtime?: Date;
  /** Called with the length of each body chunk once written (progress). */
  onData?: (bytes: number) => void;
};

export interface TarWriterOptions {
  /** mtime of entries that do not give one (default DEFAULT_MTIME). */
  mtime?: Date;
  /** Bytes the stream buffers before add() waits for the reader (default 1 MiB). */
  highWaterMark?: number;
}

export interface TarWriter {
  /** Append one entry; resolves when its body has been consumed (the bytes may still be batched). Call one at a time. */
  add(entry: TarWriterEntry): Promise<void>;
  /**
   * Append one entry without a stream or a promise: its header and content go straight into the
   * writer's batch, the content read there by `read(target)` (which fills `target`, exactly
   * `entry.size` bytes, and returns how many it read: fewer means the file shrank). For small
   * files and entries without content, where a promise, a body stream and a chunk per entry
   * cost more than the read itself. At most MAX_SYNC_ENTRY_BYTES of content.
   * Returns a promise only when the reader is behind: await it before adding more.
   */
  addSync(entry: Omit<TarWriterEntry, 'body' | 'onData'>, read?: (target: Buffer) => number): Promise<void> | undefined;
  /** Write the end-of-archive marker and end `stream`. */
  finish(): void;
  /** The tar bytes (uncompressed). */
  stream: Readable;
}

/** The most content addSync() takes for one entry. */
export const MAX_SYNC_ENTRY_BYTES = 256 * 1024;

/** Chunks smaller than this are gathered before being handed to the reader. */
const BATCH_BYTES = 64 * 1024;
/**
 * The batch is gathered in a slab of this size: small pieces are copied (or read) into it once,
 * and the reader is handed a slice of it. A slice handed out is never written again; a new slab
 * is taken when the rest of the current one is too short.
 */
const SLAB_BYTES = 1024 * 1024;

const HEADER_TYPES: Record<SafeEntry['type'], HeaderType> = {
  file: 'file',
  directory: 'directory',
  symlink: 'symlink',
  hardlink: 'hardlink',
};

/**
 * A deterministic tar writer: entries in the order added, uid/gid 0, no user/group names,
 * names written exactly as given (directories get a trailing "/"). add() waits while the
 * reader is behind, so memory stays bounded by the high-water mark.
 */
export function createTarWriter(options: TarWriterOptions = {}): TarWriter {
  const defaultMtime = options.mtime ?? DEFAULT_MTIME;
  let resumeWriter: (() => void) | undefined;
  let isBusy = false;
  let isFinished = false;

  const stream = new Readable({
    highWaterMark: options.highWaterMark ?? 1024 * 1024,
    read() {
      const resume = resumeWriter;
      resumeWriter = undefined;
      resume?.();
    },
    destroy(error, callback) {
      const resume = resumeWriter;
      resumeWriter = undefined;
      resume?.();
      callback(error);
    },
  });

  // Small pieces (headers, padding, small files) are batched into one chunk: every chunk
  // costs a round trip to zlib's thread, and a tree of small files would make thousands.
  // The batch is slab[batchStart, slabUsed).
  let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  let batchStart = 0;
  let slabUsed = 0;

  /** Room for `length` more bytes in the batch; hands the pending batch to the reader first if the slab is too short. Returns whether the reader wants more. */
  function reserve(length: number): boolean {
    if (slabUsed + length <= slab.length) return true;
    const wantsMore = batchLength() > 0 ? stream.push(takeBatch()) : true;
    slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, length));
    batchStart = 0;
    slabUsed = 0;
    return wantsMore;
  }

  function batchLength(): number {
    return slabUsed - batchStart;
  }

  /** Queue a chunk, waiting while the reader is behind. Throws once the stream is gone. */
  async function push(chunk: Buffer, entryName: string): Promise<void> {
    if (stream.destroyed) throw closedError(entryName);
    if (chunk.length === 0) return;
    if (chunk.length < BATCH_BYTES) {
      const wantsMore = reserve(chunk.length);
      slabUsed += chunk.copy(slab, slabUsed);
      if (!wantsMore) await waitForReader(entryName);
      if (batchLength() < BATCH_BYTES) return;
      await pushNow(takeBatch(), entryName);
      return;
    }
    if (batchLength() > 0) await pushNow(takeBatch(), entryName);
    await pushNow(chunk, entryName);
  }

  function takeBatch(): Buffer {
    const joined = slab.subarray(batchStart, slabUsed);
    batchStart = slabUsed;
    return joined;
  }

  async function pushNow(chunk: Buffer, entryName: string): Promise<void> {
    if (stream.destroyed) throw closedError(entryName);
    if (!stream.push(chunk)) await waitForReader(entryName);
  }

  async function waitForReader(entryName: string): Promise<void> {
    await new Promise<void>((resolve) => {
      resumeWriter = resolve;
    });
    if (stream.destroyed) throw closedError(entryName);
  }

  function encodeEntryHeaders(entry: Omit<TarWriterEntry, 'body' | 'onData'>): Buffer[] {
    const name = entry.type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
    return encodeHeaders({
      name,
      type: HEADER_TYPES[entry.type],
      size: entry.type === 'file' ? entry.size : 0,
      mode: entry.mode,
      mtime: entry.mtime ?? defaultMtime,
      ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
    });
  }

  function addSync(
    entry: Omit<TarWriterEntry, 'body' | 'onData'>,
    read?: (target: Buffer) => number,
  ): Promise<void> | undefined {
    if (isBusy) throw new Error('createTarWriter: addSync() called before the previous add() finished');
    if (isFinished) throw new Error('createTarWriter: addSync() called after finish()');
    if (stream.destroyed) throw closedError(entry.name);
    const size = entry.type === 'file' ? entry.size : 0;
    if (size > MAX_SYNC_ENTRY_BYTES) {
      throw new RangeError(
        `createTarWriter: addSync() takes at most ${MAX_SYNC_ENTRY_BYTES} bytes of content; use add()`,
      );
    }
    try {
      const headers = encodeEntryHeaders(entry);
      const headerLength = headers.reduce((sum, header) => sum + header.length, 0);
      const paddedSize = size + padding(size).length;
      let wantsMore = reserve(headerLength + paddedSize);
      for (const header of headers) slabUsed += header.copy(slab, slabUsed);
      if (size > 0) {
        const bytesRead = read?.(slab.subarray(slabUsed, slabUsed + size)) ?? 0;
        if (bytesRead !== size) throw changedError(entry.name, size, bytesRead);
      }
      slab.fill(0, slabUsed + size, slabUsed + paddedSize);
      slabUsed += paddedSize;
      if (batchLength() >= BATCH_BYTES) wantsMore = stream.push(takeBatch()) && wantsMore;
      if (wantsMore) return undefined;
      isBusy = true;
      return waitForReader(entry.name).finally(() => {
        isBusy = false;
      });
    } catch (error) {
      // A half-written entry would corrupt the archive: the stream is unusable from here.
      stream.destroy(error as Error);
      throw error;
    }
  }

  async function add(entry: TarWriterEntry): Promise<void> {
    if (isBusy) throw new Error('createTarWriter: add() called before the previous add() finished');
    if (isFinished) throw new Error('createTarWriter: add() called after finish()');
    isBusy = true;
    // A stream body is read only after its header, which may wait for the reader. Listen to it
    // from now on: an error it emits meanwhile is kept in its `errored`, where pushBody's read
    // finds and reports it, instead of having no listener.
    const stopListening = entry.body instanceof Readable ? listenUntilRead(entry.body) : undefined;
    try {
      const isFile = entry.type === 'file';
      const size = isFile ? entry.size : 0;
      const headers = encodeEntryHeaders(entry);
      for (const header of headers) await push(header, entry.name);
      if (isFile) await pushBody(entry, size);
    } catch (error) {
      // A half-written entry would corrupt the archive: the stream is unusable from here.
      if (entry.body instanceof Readable && !entry.body.destroyed) entry.body.destroy();
      stream.destroy(error as Error);
      throw error;
    } finally {
      stopListening?.();
      isBusy = false;
    }
  }

  async function pushBody(entry: TarWriterEntry, size: number): Promise<void> {
    let written = 0;
    if (Buffer.isBuffer(entry.body)) {
      written = entry.body.length;
      if (written === size) await push(entry.body, entry.name);
      entry.onData?.(written);
    } else if (entry.body !== undefined) {
      for await (const chunk of entry.body) {
        written += chunk.length;
        if (written > size) break;
        await push(chunk, entry.name);
        entry.onData?.(chunk.length);
      }
    }
    if (written !== size) throw changedError(entry.name, size, written);
    await push(padding(size), entry.name);
  }

  function finish(): void {
    if (isFinished || stream.destroyed) return;
    isFinished = true;
    if (batchLength() > 0) stream.push(takeBatch());
    stream.push(END_OF_ARCHIVE);
    stream.push(null);
  }

  return { add, addSync, finish, stream };
}

/** Attach an error listener that only keeps the stream from emitting into the void; returns its removal. */
function listenUntilRead(body: Readable): () => void {
  const keepForReader = (): void => {};
  body.on('error', keepForReader);
  return () => body.off('error', keepForReader);
}

function changedError(entryName: string, size: number, written: number): ArchiveError {
  return new ArchiveError(
    'file-changed',
    `writing tar entry ${entryName}: expected ${size} bytes of content, got ${written > size ? 'more' : written}; ` +
      'the file probably changed while it was being packed — run again once it is stable',
    { entry: entryName },
  );
}

function closedError(entryName: string): ArchiveError {
  return new ArchiveError('write-failed', `writing tar entry ${entryName}: the tar stream was closed by its reader`, {
    entry: entryName,
  });
}
