/**
 * Follows one instance's rotated log (`current.log`, renamed to `.1`, `.2` by the log writer in
 * the shim: runtime/log-writer.ts) and hands over complete new lines in batches. Invariants:
 * - Every byte is read once, in order, from the file it was written to: the follower keeps the
 *   file open across its renames, reads it to its end once `current.log` is another file (the
 *   writer never writes a file again after renaming it), then goes on with the next file.
 * - A batch's `from` is the position of its first byte and `next` the position just after its
 *   last line; a follow started at a batch's `next` neither repeats nor skips a line. A line split
 *   between two files (the writer cuts files at an exact size) is one line, from the first file to
 *   the second.
 * - The next batch is read only after `onBatch` resolved: memory stays at one batch, however fast
 *   the container writes and however slow the cloud is.
 * - The first batch has no lines: it gives the starting position.
 * - A position whose file is gone (rotated out) resumes at the oldest newer file and the batch
 *   says `skippedFrom`: a gap is reported, never hidden.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { listLogGenerations, logFileId, type LogFile } from './log-files.js';
import { birthOf, formatLogPosition, parseLogPosition, type LogPosition } from './log-position.js';

export interface LogBatch {
  from: string;
  next: string;
  lines: string[];
  readAt: Date;
  /** The position asked for, when lines after it were gone and the batch starts later. */
  skippedFrom?: string;
}

export interface LogFollowerOptions {
  /** The log's current file (`…/logs/current.log`). */
  log: string;
  /** Resume here (a batch's `next`); absent: from the end of the current file. */
  from?: string | undefined;
  /** Without `from`: start this many complete lines back in the current file (default 0). */
  tailLines?: number | undefined;
  onBatch: (batch: LogBatch) => Promise<void>;
  /** How often the end of the log is looked at (default 200 ms). */
  pollMs?: number;
  maxBatchLines?: number;
  maxBatchBytes?: number;
  /** A longer line (no newline yet) is handed over in pieces of this size. */
  maxLineBytes?: number;
}

const CHUNK_BYTES = 64 * 1024;
const TAIL_WINDOW_BYTES = 256 * 1024;

export class LogFollowerError extends Error {}

export class LogFollower {
  /** Resolves when the follow has ended: stopped (undefined) or failed (the error). */
  readonly done: Promise<Error | undefined>;
  private handle: FileHandle | undefined;
  /** The file being read and the offset of the next byte to read in it. */
  private fileId: string | undefined;
  private offset = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingStart: LogPosition | undefined;
  private batch: { from: LogPosition; next: LogPosition; lines: string[]; bytes: number } | undefined;
  private skippedFrom: string | undefined;
  private isStopped = false;
  private wake: (() => void) | undefined;
  private readonly pollMs: number;
  private readonly maxBatchLines: number;
  private readonly maxBatchBytes: number;
  private readonly maxLineBytes: number;

  constructor(private readonly options: LogFollowerOptions) {
    this.pollMs = options.pollMs ?? 200;
    this.maxBatchLines = options.maxBatchLines ?? 1000;
    this.maxBatchBytes = options.maxBatchBytes ?? 256 * 1024;
    this.maxLineBytes = options.maxLineBytes ?? 64 * 1024;
    this.done = this.run();
  }

  stop(): void {
    this.isStopped = true;
    this.wake?.();
  }

  private async run(): Promise<Error | undefined> {
    try {
      await this.start();
      // The starting position first (no lines), so a follow that is cut before its first line
      // still resumes where it began.
      if (this.fileId !== undefined) {
        const start = formatLogPosition({ fileId: this.fileId, offset: this.offset });
        const skippedFrom = this.skippedFrom;
        this.skippedFrom = undefined;
        await this.options.onBatch({
          from: start,
          next: start,
          lines: [],
          readAt: new Date(),
          ...(skippedFrom !== undefined && { skippedFrom }),
        });
      }
      while (!this.isStopped) {
        const isProgress = await this.step();
        if (!isProgress && !this.isStopped) await this.sleep();
      }
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      await this.handle?.close().catch(() => undefined);
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, this.pollMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.wake = wake;
      function finish(): void {
        resolve();
      }
    });
  }

  /** Choose the first file and offset. */
  private async start(): Promise<void> {
    const files = await listLogGenerations(this.options.log);
    const { from } = this.options;
    if (from !== undefined) {
      const position = parseLogPosition(from);
      if (!position)
        throw new LogFollowerError(`following the log: ${JSON.stringify(from)} is not a position this unit wrote`);
      const same = files.find((file) => file.id === position.fileId);
      if (same) return this.target(same.id, Math.min(position.offset, same.size));
      const newer = files.find((file) => birthOf(file.id) > birthOf(position.fileId));
      this.skippedFrom = from;
      if (newer) return this.target(newer.id, 0);
      // Nothing newer yet (the log was removed with its instance): the next file to appear.
      this.fileId = undefined;
      return;
    }
    const current = files.at(-1);
    if (!current) return;
    const tail = this.options.tailLines ?? 0;
    this.target(current.id, tail > 0 ? await findTailStart(current, tail) : current.size);
  }

  private target(fileId: string, offset: number): void {
    this.fileId = fileId;
    this.offset = offset;
  }

  /** Read what is there; on its end, move to the next file if this one was rotated. True when something happened. */
  private async step(): Promise<boolean> {
    if (!this.handle && !(await this.openTarget())) return false;
    if ((await this.readAvailable()) > 0) return true;
    const currentId = await idOf(this.options.log);
    if (currentId === this.fileId || currentId === undefined) return false;
    // Rotated: what was written before the rename is read first, then the next file.
    if ((await this.readAvailable()) > 0) return true;
    // The file born next after this one. A rotation while the names are listed can hide a file
    // from one listing (stat of `.k` after it moved on and the next one moved in): taking the next
    // of a listing that missed it skipped a whole file. So two listings in a row must agree that
    // nothing was born in between; otherwise look again at the next step.
    const next = await nextFileAfter(this.options.log, this.fileId);
    if (!next || (await nextFileAfter(this.options.log, this.fileId))?.id !== next.id) return false;
    await this.handle?.close();
    this.handle = undefined;
    this.target(next.id, 0);
    return true;
  }

  /** Open the target file (found by id under whatever name it has now). */
  private async openTarget(): Promise<boolean> {
    const files = await listLogGenerations(this.options.log);
    if (this.fileId === undefined) {
      const first = files.find(
        (file) => !this.skippedFrom || birthOf(file.id) > birthOf(parseLogPosition(this.skippedFrom)?.fileId ?? '0-0'),
      );
      if (!first) return false;
      this.target(first.id, 0);
    }
    const file = files.find((candidate) => candidate.id === this.fileId);
    if (!file) {
      // Rotated out before it was opened: the oldest newer file, and a gap.
      const newer = files.find((candidate) => birthOf(candidate.id) > birthOf(this.fileId ?? '0-0'));
      if (!newer) return false;
      this.skippedFrom ??= formatLogPosition({ fileId: this.fileId ?? '0-0', offset: this.offset });
      this.target(newer.id, 0);
      return false;
    }
    const handle = await open(file.path, 'r').catch(() => undefined);
    if (!handle) return false;
    const info = await handle.stat({ bigint: true });
    if (logFileId(info.birthtimeNs, info.ino) !== this.fileId) {
      await handle.close();
      return false; // renamed between the listing and the open: the next step finds it again
    }
    this.handle = handle;
    return true;
  }

  /** Read from the open file up to a batch's worth, handing over complete lines. Returns the bytes read. */
  private async readAvailable(): Promise<number> {
    const handle = this.handle;
    if (!handle || this.fileId === undefined) return 0;
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let total = 0;
    while (!this.isStopped) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, this.offset);
      if (bytesRead === 0) break;
      this.consume(buffer.subarray(0, bytesRead), this.fileId, this.offset);
      this.offset += bytesRead;
      total += bytesRead;
      if (this.batch && (this.batch.lines.length >= this.maxBatchLines || this.batch.bytes >= this.maxBatchBytes))
        break;
    }
    await this.flush();
    return total;
  }

  private consume(chunk: Buffer, fileId: string, chunkOffset: number): void {
    let start = 0;
    while (start < chunk.length) {
      this.pendingStart ??= { fileId, offset: chunkOffset + start };
      const newline = chunk.indexOf(0x0a, start);
      const room = this.maxLineBytes - this.pendingBytes;
      const end = newline >= 0 && newline - start < room ? newline + 1 : Math.min(chunk.length, start + room);
      const piece = chunk.subarray(start, end);
      this.pending.push(piece);
      this.pendingBytes += piece.length;
      start = end;
      const isComplete = piece.at(-1) === 0x0a || this.pendingBytes >= this.maxLineBytes;
      if (isComplete) this.completeLine({ fileId, offset: chunkOffset + end });
    }
  }

  private completeLine(next: LogPosition): void {
    const bytes = Buffer.concat(this.pending);
    const text = bytes.toString('utf8', 0, bytes.at(-1) === 0x0a ? bytes.length - 1 : bytes.length);
    const from = this.pendingStart ?? next;
    this.batch ??= { from, next, lines: [], bytes: 0 };
    this.batch.lines.push(text);
    this.batch.bytes += bytes.length;
    this.batch.next = next;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingStart = undefined;
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    const skippedFrom = this.skippedFrom;
    this.skippedFrom = undefined;
    await this.options.onBatch({
      from: formatLogPosition(batch.from),
      next: formatLogPosition(batch.next),
      lines: batch.lines,
      readAt: new Date(),
      ...(skippedFrom !== undefined && { skippedFrom }),
    });
  }
}

async function idOf(path: string): Promise<string | undefined> {
  const info = await stat(path, { bigint: true }).catch(() => undefined);
  return info ? logFileId(info.birthtimeNs, info.ino) : undefined;
}

/** The offset where the last `count` complete lines of the file begin (looking back at most 256 KiB). */
async function findTailStart(file: LogFile, count: number): Promise<number> {
  const windowStart = Math.max(0, file.size - TAIL_WINDOW_BYTES);
  const handle = await open(file.path, 'r');
  try {
    const buffer = Buffer.alloc(file.size - windowStart);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, windowStart);
    const ends: number[] = [];
    for (let index = buffer.indexOf(0x0a); index >= 0 && index < bytesRead; index = buffer.indexOf(0x0a, index + 1))
      ends.push(index);
    if (ends.length > count) return windowStart + (ends[ends.length - count - 1] ?? -1) + 1;
    // Fewer lines than asked: all of them (in a window that starts mid-file, after its first, cut line).
    return windowStart === 0 ? 0 : windowStart + (ends[0] ?? bytesRead - 1) + 1;
  } finally {
    await handle.close();
  }
}

/** The file of the log born first after `fileId` (by birth time), in one listing. */
async function nextFileAfter(log: string, fileId: string | undefined): Promise<LogFile | undefined> {
  const birth = birthOf(fileId ?? '0-0');
  const files = await listLogGenerations(log);
  const index = files.findIndex((file) => file.id === fileId);
  return index >= 0 ? files[index + 1] : files.find((file) => birthOf(file.id) > birth);
}
