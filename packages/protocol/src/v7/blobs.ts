import { z } from 'zod';
import { base64Schema, messageFields } from './common.js';

/** requestBlobUrls (unit → cloud): where can I download these blobs? Answered by `blobUrls` with the same correlationId. */
export const requestBlobUrlsSchema = z.object({
  ...messageFields('requestBlobUrls'),
  /** OCI digests (`sha256:<hex>`) of the blobs wanted. */
  digests: z.array(z.string()),
});

/** How to decrypt a blob: block cipher, IV and (wrapped) key. */
export const decryptInfoSchema = z.object({
  blockAlg: z.enum(['AES256/CBC/pkcs7', 'AES256/GCM/']).default('AES256/CBC/pkcs7'),
  blockIv: base64Schema,
  blockKey: base64Schema,
});

/** A detached signature of a blob, by a chain listed in the desired status' `certificateChains`. */
export const signInfoSchema = z.object({
  chainName: z.string(),
  alg: z.enum(['RSA/SHA256', 'EC/SHA256']),
  value: z.string(),
  trustedTimestamp: z.string(),
  ocspValues: z.array(z.string()).optional(),
});

/**
 * Where to download one blob. `sha256` is, despite its name, base64 of the SHA3-256 of the file
 * as downloaded (what AosCore checks); OpenAos agents check `digest` too.
 */
export const blobInfoSchema = z.object({
  digest: z.string(),
  urls: z.array(z.string()).min(1),
  sha256: base64Schema,
  size: z.int(),
  decryptInfo: decryptInfoSchema,
  signInfo: signInfoSchema,
});

/** blobUrls (cloud → unit): the answer to `requestBlobUrls`, echoing its correlationId. */
export const blobUrlsSchema = z.object({
  ...messageFields('blobUrls'),
  items: z.array(blobInfoSchema),
});
export type RequestBlobUrls = z.infer<typeof requestBlobUrlsSchema>;
export type BlobUrls = z.infer<typeof blobUrlsSchema>;
export type BlobInfo = z.infer<typeof blobInfoSchema>;
export type DecryptInfo = z.infer<typeof decryptInfoSchema>;
export type SignInfo = z.infer<typeof signInfoSchema>;
