/**
 * A requested range of a log, gzipped into a file on the unit's storage, to be sent in parts
 * (v7 `pushLog`). The log is read file by file as a stream and never held in memory; what one
 * request may collect is capped (uncompressed) and a range over the cap is refused, not cut.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { createWriteStream } from 'node:fs';
import { listLogGenerations, logFileId, type LogFile } from './log-files.js';

export interface CollectLogOptions {
  /** The log's current file (`…/current.log`); rotated files beside it are included in order. */
  log: string;
  /** Only what was written at or after `from` and before `till`. */
  from?: Date | undefined;
  till?: Date | undefined;
  /**
   * Each line starts with its ISO 8601 time (the agent's own log): the range is cut per line.
   * Otherwise (an instance log, which carries no times) per file: a file is included when what it
   * holds was written, from its creation to its last write, overlaps the range.
   */
  hasLineTimes?: boolean;
  /** The most uncompressed bytes one request collects. */
  maxBytes: number;
  /** Where the gzip file is written (on the unit's storage). */
  directory: string;
}

export type CollectedLog =
  | { status: 'absent' }
  | { status: 'empty' }
  | { status: 'too-large'; bytes: number; maxBytes: number }
  | { status: 'ok'; path: string; size: number; files: number };

/** Collect a range of a log into a gzip file; the caller removes `path` when it has sent it. */
export async function collectLog(options: CollectLogOptions): Promise<CollectedLog> {
  const files = await listLogGenerations(options.log);
  if (files.length === 0) return { status: 'absent' };
  const selected = selectFiles(files, options.from, options.till);
  const bytes = selected.reduce((sum, file) => sum + file.size, 0);
  if (bytes > options.maxBytes) return { status: 'too-large', bytes, maxBytes: options.maxBytes };
  if (bytes === 0) return { status: 'empty' };
  await mkdir(options.directory, { recursive: true });
  const path = join(options.directory, `${randomUUID()}.gz`);
  const counter = new ByteCounter();
  try {
    const source = Readable.from(readFiles(options.log, selected));
    const output = createWriteStream(path);
    if (options.hasLineTimes)
      await pipeline(source, new LineTimeFilter(options.from, options.till), counter, createGzip(), output);
    else await pipeline(source, counter, createGzip(), output);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  if (counter.bytes === 0) {
    await rm(path, { force: true });
    return { status: 'empty' };
  }
  return { status: 'ok', path, size: (await stat(path)).size, files: selected.length };
}

/** Files whose writing time (birth, or the previous file's last write, to their last write) overlaps the range. */
function selectFiles(files: LogFile[], from: Date | undefined, till: Date | undefined): LogFile[] {
  return files.filter((file, index) => {
    const previous = files[index - 1];
    const startedMs = file.birthNs > 0n ? Number(file.birthNs / 1_000_000n) : (previous?.mtimeMs ?? 0);
    const isAfterFrom = from === undefined || file.mtimeMs >= from.getTime();
    const isBeforeTill = till === undefined || startedMs < till.getTime();
    return isAfterFrom && isBeforeTill;
  });
}

/**
 * The bytes of each file as listed (up to the size it had then: a file still being written is cut
 * there), opened by its id so a rename between the listing and the open does not swap files.
 */
async function* readFiles(log: string, files: LogFile[]): AsyncGenerator<Buffer> {
  for (const file of files) {
    const handle = await openById(log, file);
    if (!handle) continue; // rotated out meanwhile
    try {
      const buffer = Buffer.alloc(64 * 1024);
      let offset = 0;
      while (offset < file.size) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, file.size - offset), offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        yield Buffer.from(buffer.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  }
}

async function openById(log: string, file: LogFile) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const path =
      attempt === 0 ? file.path : (await listLogGenerations(log)).find((other) => other.id === file.id)?.path;
    if (!path) return undefined;
    const handle = await open(path, 'r').catch(() => undefined);
    if (!handle) continue;
    const info = await handle.stat({ bigint: true });
    if (logFileId(info.birthtimeNs, info.ino) === file.id) return handle;
    await handle.close();
  }
  return undefined;
}

class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

/**
 * Keeps the lines whose leading ISO time is in [from, till). A line without a time (a message
 * continued on the next line) goes with the line before it.
 */
class LineTimeFilter extends Transform {
  private rest = Buffer.alloc(0);
  private isKeeping = false;
  constructor(
    private readonly from: Date | undefined,
    private readonly till: Date | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const data = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a, start)) {
      this.pushLine(data.subarray(start, end + 1));
      start = end + 1;
    }
    this.rest = Buffer.from(data.subarray(start));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.rest.length > 0) this.pushLine(this.rest);
    callback();
  }

  private pushLine(line: Buffer): void {
    const time = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))/.exec(
      line.toString('latin1', 0, 40),
    )?.[1];
    if (time !== undefined) {
      const ms = Date.parse(time);
      this.isKeeping =
        (this.from === undefined || ms >= this.from.getTime()) && (this.till === undefined || ms < this.till.getTime());
    }
    if (this.isKeeping) this.push(line);
  }
}
