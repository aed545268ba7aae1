import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export interface HashingStreamOptions {
  /** Runs before the stream ends; an error it returns (a digest mismatch) fails the stream instead of ending it. */
  checkEnd?: (digest: string, bytes: number) => Error | undefined;
  /** Called with the running byte count after each chunk (progress). */
  onBytes?: (bytes: number) => void;
  /** Fail as soon as more than `limit` bytes arrive, with `error()`. */
  maxBytes?: { limit: number; error: () => Error };
}

/**
 * A pass-through stream that hashes (sha256) and counts what flows through it, so one
 * streaming pass both moves and checks the data. A consumer never sees a clean end on
 * data whose digest `checkEnd` rejected.
 */
export class HashingStream extends Transform {
  readonly #hash: Hash = createHash('sha256');
  readonly #options: HashingStreamOptions;
  #bytes = 0;
  #digest: string | undefined;

  constructor(options: HashingStreamOptions = {}) {
    super();
    this.#options = options;
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The sha256 digest (`sha256:<hex>`), available once the stream has ended. */
  get digest(): string {
    if (this.#digest === undefined) throw new Error('HashingStream.digest read before the stream ended');
    return this.#digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    const maxBytes = this.#options.maxBytes;
    if (maxBytes !== undefined && this.#bytes > maxBytes.limit) {
      callback(maxBytes.error());
      return;
    }
    this.#hash.update(chunk);
    this.#options.onBytes?.(this.#bytes);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#digest = `sha256:${this.#hash.digest('hex')}`;
    callback(this.#options.checkEnd?.(this.#digest, this.#bytes));
  }
}
