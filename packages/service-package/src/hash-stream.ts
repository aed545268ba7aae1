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

/** A pass-through computing SHA-256 and SHA3-512 of the whole stream (the finished package). */
export function createPackageDigestTap(): { stream: Transform; result(): { sha256: string; sha3_512: string } } {
  const sha256 = createHash('sha256');
  const sha3 = createPackageHash();
  let digests: { sha256: string; sha3_512: string } | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      sha256.update(chunk);
      sha3.update(chunk);
      callback(null, chunk);
    },
  });
  return {
    stream,
    result() {
      digests ??= { sha256: sha256.digest('hex'), sha3_512: sha3.digest('hex') };
      return digests;
    },
  };
}
