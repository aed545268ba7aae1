import { Transform, type TransformCallback } from 'node:stream';
import { constants, crc32, deflateRaw } from 'node:zlib';

/** Input block compressed as one unit; large enough that the per-block flush costs nothing measurable. */
const BLOCK_BYTES = 1024 * 1024;
/** Deflate's window: each block is primed with this much of the data before it, so matches span blocks. */
const WINDOW_BYTES = 32 * 1024;

/**
 * gzip compression spread over libuv's thread pool, the way pigz does it: the input is cut into
 * fixed 1 MiB blocks, each raw-deflated on its own with the previous 32 KiB as preset dictionary
 * and ended with a sync flush (the last with a final block), and the pieces are emitted in order
 * behind one gzip header and a trailer (CRC-32, size). The result is one ordinary gzip member
 * that any gunzip reads. It is deterministic (it depends only on the data, the level and the
 * fixed block size) but not byte-identical to single-threaded gzip output.
 *
 * Invariants: blocks are emitted strictly in input order; at most `concurrency` blocks are being
 * compressed at once (backpressure: _transform waits), so memory stays bounded.
 */
export class ParallelGzip extends Transform {
  readonly #level: number;
  readonly #concurrency: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #previousTail: Buffer = Buffer.alloc(0);
  #crc = 0;
  #size = 0;
  #inFlight: Promise<Buffer>[] = [];
  #headerWritten = false;

  constructor(options: { level: number; concurrency?: number }) {
    super();
    this.#level = options.level;
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#writeHeader();
    this.#crc = crc32(chunk, this.#crc);
    this.#size += chunk.length;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    this.#drainFullBlocks().then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#writeHeader();
    const last = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#inFlight.push(this.#compress(last, true));
    this.#emitAll()
      .then(() => {
        const trailer = Buffer.alloc(8);
        trailer.writeUInt32LE(this.#crc >>> 0, 0);
        trailer.writeUInt32LE(this.#size % 2 ** 32, 4);
        this.push(trailer);
        callback();
      })
      .catch(callback);
  }

  #writeHeader(): void {
    if (this.#headerWritten) return;
    this.#headerWritten = true;
    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL OS=3 (Unix), as zlib writes it, so output does not depend on the time.
    const extraFlags = this.#level === 9 ? 2 : this.#level === 1 ? 4 : 0;
    this.push(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, extraFlags, 0x03]));
  }

  async #drainFullBlocks(): Promise<void> {
    while (this.#pendingBytes >= BLOCK_BYTES) {
      const joined = Buffer.concat(this.#pending);
      const block = joined.subarray(0, BLOCK_BYTES);
      const rest = joined.subarray(BLOCK_BYTES);
      this.#pending = rest.length > 0 ? [rest] : [];
      this.#pendingBytes = rest.length;
      this.#inFlight.push(this.#compress(block, false));
      while (this.#inFlight.length >= this.#concurrency) this.push(await this.#inFlight.shift()!);
    }
  }

  async #emitAll(): Promise<void> {
    while (this.#inFlight.length > 0) this.push(await this.#inFlight.shift()!);
  }

  #compress(block: Buffer, isLast: boolean): Promise<Buffer> {
    const dictionary = this.#previousTail;
    this.#previousTail = Buffer.from(block.subarray(Math.max(0, block.length - WINDOW_BYTES)));
    const promise = new Promise<Buffer>((resolve, reject) => {
      deflateRaw(
        block,
        {
          level: this.#level,
          ...(dictionary.length > 0 ? { dictionary } : {}),
          finishFlush: isLast ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
    });
    // Rejections are observed when the block's turn comes; avoid an unhandled rejection before that.
    promise.catch(() => {});
    return promise;
  }
}
