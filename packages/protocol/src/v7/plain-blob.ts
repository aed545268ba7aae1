import type { BlobInfo, DecryptInfo, SignInfo } from './blobs.js';

/**
 * OpenAos delivers blobs unencrypted over HTTPS and checks each against its digest; the digests
 * hang from the signed desired status (`indexDigest` → index → manifest → blobs). AosEdge's schema
 * still requires `decryptInfo` and `signInfo`, so an OpenAos cloud sends these values, which say
 * "not encrypted" and "not signed": the schema accepts them and no key or signature is implied.
 */
export const PLAIN_DECRYPT_INFO: DecryptInfo = Object.freeze({
  blockAlg: 'AES256/CBC/pkcs7',
  blockIv: '',
  blockKey: '',
});

/** See {@link PLAIN_DECRYPT_INFO}: an empty signature from no chain. */
export const PLAIN_SIGN_INFO: SignInfo = Object.freeze({
  chainName: '',
  alg: 'RSA/SHA256',
  value: '',
  trustedTimestamp: '',
});

/** What the cloud knows about a blob it serves in plain form. */
export interface PlainBlob {
  /** `sha256:<hex>` of the blob. */
  digest: string;
  size: number;
  /** Download URLs, tried in order. At least one. */
  urls: string[];
  /** SHA3-256 of the blob's bytes (32 bytes, or its base64): the `sha256` field AosCore checks. */
  sha3_256: Uint8Array | string;
}

/** The blobUrls entry of a blob served unencrypted (see {@link PLAIN_DECRYPT_INFO}). */
export function createPlainBlobInfo(blob: PlainBlob): BlobInfo {
  return {
    digest: blob.digest,
    urls: [...blob.urls],
    sha256: typeof blob.sha3_256 === 'string' ? blob.sha3_256 : Buffer.from(blob.sha3_256).toString('base64'),
    size: blob.size,
    decryptInfo: { ...PLAIN_DECRYPT_INFO },
    signInfo: { ...PLAIN_SIGN_INFO },
  };
}

/** Whether a blobUrls entry is a plain (unencrypted, unsigned) blob as an OpenAos cloud sends. */
export function isPlainBlob(info: BlobInfo): boolean {
  return info.decryptInfo.blockKey === '' && info.decryptInfo.blockIv === '' && info.signInfo.value === '';
}
