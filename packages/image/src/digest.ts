import { createHash } from 'node:crypto';
import { ImageError } from './errors.js';

/** The only digests we accept: sha256, lower-case hex. Anything else could name a path. */
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

/** True when `value` is a well-formed sha256 digest string. */
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST_PATTERN.test(value);
}

/**
 * Return the hex part of a digest, refusing anything that is not `sha256:<64 hex>`.
 * Every path built from a digest goes through here, so `../` or `sha512:` never reach the file system.
 */
export function digestHex(digest: unknown): string {
  if (!isDigest(digest)) {
    const shown = typeof digest === 'string' ? JSON.stringify(digest.slice(0, 100)) : typeof digest;
    throw new ImageError(
      'invalid-digest',
      `invalid digest ${shown}: expected "sha256:" followed by 64 lower-case hex characters`,
    );
  }
  return digest.slice('sha256:'.length);
}

/** sha256 digest string of a buffer. */
export function digestOf(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
