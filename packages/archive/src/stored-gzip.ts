import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';

/** The most a stored deflate block holds (its LEN field is 16 bits). */
const STORED_BLOCK_BYTES = 65_535;

/** gzip header: deflate, no name, mtime 0, no extra flags, OS 3 (Unix) — what zlib writes. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);

/** A stored block's header: BFINAL, BTYPE 00, then LEN and its complement (RFC 1951 §3.2.4). */
function storedBlockHeader(length: number, isFinal: boolean): Buffer {
  const header = Buffer.alloc(5);
  header[0] = isFinal ? 1 : 0;
  header.writeUInt16LE(length, 1);
  header.writeUInt16LE(~length & 0xffff, 3);
  return header;
}

/**
 * gzip without compression: the input in stored deflate blocks of 65,535 bytes (the last one
 * shorter and final) behind one gzip header, CRC-32 and size after. Any gunzip reads it. For
 * content that is already compressed (the outer archive of a service package, which wraps the
 * inner tar.gz): zlib at level 0 gives the same kind of stream but copies every byte through its
 * thread; here the input is passed on as is, with a 5-byte header per block. The blocks are
 * fixed, so the output is the same bytes for the same input whatever the chunking.
 */
export function createStoredGzip(): Transform {
  let crc = 0;
  let inputLength = 0;
  /** Bytes of the current (not yet headed) block, held until it is full or the input ends. */
  let held: Buffer[] = [];
  let heldLength = 0;

  function emitBlock(stream: Transform, isFinal: boolean): void {
    stream.push(storedBlockHeader(heldLength, isFinal));
    for (const piece of held) stream.push(piece);
    held = [];
    heldLength = 0;
  }

  return new Transform({
    construct(callback) {
      this.push(GZIP_HEADER);
      callback();
    },
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (chunk.length > 0) crc = crc32(chunk, crc);
      inputLength += chunk.length;
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(chunk.length - offset, STORED_BLOCK_BYTES - heldLength);
        held.push(chunk.subarray(offset, offset + take));
        heldLength += take;
        offset += take;
        if (heldLength === STORED_BLOCK_BYTES) emitBlock(this, false);
      }
      callback();
    },
    flush(callback: TransformCallback) {
      emitBlock(this, true);
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc >>> 0, 0);
      trailer.writeUInt32LE(inputLength % 2 ** 32, 4);
      this.push(trailer);
      callback();
    },
  });
}
