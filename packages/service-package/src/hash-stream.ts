import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** package.sign hashes: SHA3-512, lowercase hex (what aos-signer writes). */
export const PACKAGE_HASH_ALGORITHM = 'sha3-512';

export function createPackageHash(): Hash {
  return createHash(PACKAGE_HASH_ALGORITHM);
}

export function hashBuffer(buffer: Buffer): string {
  return createPackageHash().update(buffer).digest('hex');
}

/** A pass-through that hashes and counts the bytes flowing through it (one pass, no buffering). */
export interface HashingTap {
  stream: Transform;
  /** Valid once the stream has finished. */
  result(): { hash: string; size: number };
}

export function createHashingTap(onBytes?: (bytes: number) => void): HashingTap {
  const hash = createPackageHash();
  let size = 0;
  let digest: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      onBytes?.(chunk.length);
      callback(null, chunk);
    },
  });
  return {
    stream,
    result() {
      digest ??= hash.digest('hex');
      return { hash: digest, size };
    },
  };
}
