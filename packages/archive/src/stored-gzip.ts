import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';

/** The most a stored deflate block holds (its LEN field is 16 bits). */
const STORED_BLOCK_BYTES = 65_535;

/** gzip header: deflate, no name, mtime 0, no extra flags, OS 3 (Unix) — what zlib writes. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);

/** Stored blocks gathered per output chunk (16 × 64 KiB ≈ 1 MiB). */
const BLOCKS_PER_CHUNK = 16;
/** A stored block's header: BFINAL, BTYPE 00, then LEN and its complement (RFC 1951 §3.2.4). */
const BLOCK_HEADER_BYTES = 5;
const CHUNK_BYTES = BLOCKS_PER_CHUNK * (BLOCK_HEADER_BYTES + STORED_BLOCK_BYTES);

function writeStoredBlockHeader(target: Buffer, offset: number, length: number, isFinal: boolean): void {
  target[offset] = isFinal ? 1 : 0;
  target.writeUInt16LE(length, offset + 1);
  target.writeUInt16LE(~length & 0xffff, offset + 3);
}

/**
 * gzip without compression: the input in stored deflate blocks of 65,535 bytes (the last one
 * shorter and final) behind one gzip header, CRC-32 and size after. Any gunzip reads it. For
 * content that is already compressed (the outer archive of a service package, which wraps the
 * inner tar.gz): zlib at level 0 gives the same kind of stream but copies every byte through its
 * thread; here the input is copied once, block headers and all, into output chunks of about
 * 1 MiB (a push and a file write per 64 KiB block cost more than the copy). The blocks are
 * fixed, so the output is the same bytes for the same input whatever the chunking.
 */
export function createStoredGzip(): Transform {
  let crc = 0;
  let inputLength = 0;
  /** The output chunk being filled: whole blocks, then the current block's header room and bytes. */
  let output = Buffer.allocUnsafe(CHUNK_BYTES);
  let outputUsed = 0;
  /** Where the current (not yet headed) block's header goes, and how many bytes it holds so far. */
  let blockStart = 0;
  let heldLength = 0;

  function startBlock(): void {
    blockStart = outputUsed;
    outputUsed += BLOCK_HEADER_BYTES;
    heldLength = 0;
  }

  /** Head the current block; hand the chunk on when it has no room for another full block. */
  function endBlock(stream: Transform, isFinal: boolean): void {
    writeStoredBlockHeader(output, blockStart, heldLength, isFinal);
    if (isFinal || outputUsed + BLOCK_HEADER_BYTES + STORED_BLOCK_BYTES > output.length) {
      stream.push(output.subarray(0, outputUsed));
      output = Buffer.allocUnsafe(CHUNK_BYTES);
      outputUsed = 0;
    }
    if (!isFinal) startBlock();
  }

  return new Transform({
    construct(callback) {
      this.push(GZIP_HEADER);
      startBlock();
      callback();
    },
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (chunk.length > 0) crc = crc32(chunk, crc);
      inputLength += chunk.length;
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(chunk.length - offset, STORED_BLOCK_BYTES - heldLength);
        chunk.copy(output, outputUsed, offset, offset + take);
        outputUsed += take;
        heldLength += take;
        offset += take;
        if (heldLength === STORED_BLOCK_BYTES) endBlock(this, false);
      }
      callback();
    },
    flush(callback: TransformCallback) {
      endBlock(this, true);
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc >>> 0, 0);
      trailer.writeUInt32LE(inputLength % 2 ** 32, 4);
      this.push(trailer);
      callback();
    },
  });
}
