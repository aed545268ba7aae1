import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { HashingStream, ImageError, isDigest, isImageError } from '@openaos/image';
import type { BlobStorage } from './blob-storage.js';

/** Where and how to reach an S3-compatible store (AWS S3, MinIO, Ceph RGW, …). */
export interface S3BlobStorageConfig {
  bucket: string;
  /** `https://minio.example:9000`; absent: AWS S3 for `region`. */
  endpoint?: string | undefined;
  /** AWS region (MinIO accepts any; `us-east-1` when absent). */
  region?: string | undefined;
  /** Absent: the SDK's default chain (AWS_* variables, instance or task role, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** `bucket` in the path instead of the host name: MinIO and most self-hosted servers need it. */
  forcePathStyle?: boolean | undefined;
  /** Key prefix inside the bucket (e.g. `openaos/`), so one bucket can hold other things too. */
  prefix?: string | undefined;
  /** Bytes per part of a multipart upload (default 8 MiB; S3's minimum is 5 MiB). */
  partSizeBytes?: number | undefined;
}

/** Blobs up to this size are sent in one PUT; larger ones go as a multipart upload. */
export const DEFAULT_S3_PART_SIZE_BYTES = 8 * 1024 * 1024;

/**
 * The cloud's blobs in an S3-compatible bucket, under `<prefix>blobs/sha256/<hex>`.
 *
 * Invariants, the same as the disk store's: an object under `blobs/` only ever holds the bytes its
 * name hashes to. S3 makes an object visible only when its PUT or multipart upload completes, so a
 * put whose digest is known up front streams straight to its final key and the hashing stream fails
 * the upload before it completes when the bytes differ; a put without a digest goes to
 * `<prefix>tmp/<random>`, is copied to its final key once hashed, and the temporary object is removed.
 * Reads re-hash (`get` fails at its end on a mismatch); ranged reads are unchecked, as on disk.
 */
export function createS3BlobStorage(
  config: S3BlobStorageConfig,
  client: S3Client = createS3Client(config),
): BlobStorage & { client: S3Client; list(): AsyncIterable<string> } {
  const bucket = config.bucket;
  const prefix = config.prefix ?? '';
  const partSize = config.partSizeBytes ?? DEFAULT_S3_PART_SIZE_BYTES;
  const blobKey = (digest: string) => `${prefix}blobs/sha256/${checkedHex(digest)}`;
  const temporaryPrefix = `${prefix}tmp/`;
  const where = `s3://${bucket}/${prefix}`;

  const head = async (digest: string): Promise<number | undefined> => {
    try {
      const result = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: blobKey(digest) }));
      return result.ContentLength ?? 0;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw s3Error(`looking up blob ${digest} in ${where}`, error);
    }
  };

  /** Stream `body` to `key`: one PUT when it fits in a part, else a multipart upload (aborted on failure). */
  const upload = async (key: string, body: Readable) => {
    const uploading = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: body },
      partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await uploading.done();
  };

  return {
    client,
    async put(source, expected = {}) {
      if (expected.digest !== undefined && !isDigest(expected.digest)) {
        if (source instanceof Readable) source.destroy();
        checkedHex(expected.digest);
      }
      if (!(source instanceof Readable)) {
        const bytes = Buffer.from(source);
        const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
        const problem = checkExpected(expected, digest, bytes.length);
        if (problem) throw problem;
        if ((await head(digest)) !== bytes.length) {
          try {
            await client.send(
              new PutObjectCommand({ Bucket: bucket, Key: blobKey(digest), Body: bytes, ContentLength: bytes.length }),
            );
          } catch (error) {
            throw s3Error(`storing blob ${digest} in ${where}`, error);
          }
        }
        return { digest, size: bytes.length };
      }
      // Already stored (content-addressed: same name, same bytes): skip the transfer.
      if (
        expected.digest !== undefined &&
        expected.size !== undefined &&
        (await head(expected.digest)) === expected.size
      ) {
        source.destroy();
        return { digest: expected.digest, size: expected.size };
      }
      const hashing = new HashingStream({
        checkEnd: (digest, size) => checkExpected(expected, digest, size),
        ...(expected.size === undefined
          ? {}
          : {
              maxBytes: {
                limit: expected.size,
                error: () =>
                  new ImageError(
                    'digest-mismatch',
                    `storing blob ${expected.digest ?? ''}: more data than the expected ${expected.size} bytes; the source is not the blob that was announced`,
                  ),
              },
            }),
      });
      const key =
        expected.digest !== undefined
          ? blobKey(expected.digest)
          : `${temporaryPrefix}${randomBytes(12).toString('hex')}`;
      try {
        // The hashing stream fails before its end on a mismatch, so the upload never completes.
        // Both settle before anything else happens: a failed upload is aborted before this put returns.
        const [piped, uploaded] = await Promise.allSettled([pipeline(source, hashing), upload(key, hashing)]);
        if (piped.status === 'rejected') throw piped.reason;
        if (uploaded.status === 'rejected') throw uploaded.reason;
        if (expected.digest === undefined) {
          try {
            await client.send(
              new CopyObjectCommand({
                Bucket: bucket,
                Key: blobKey(hashing.digest),
                CopySource: copySource(bucket, key),
              }),
            );
          } finally {
            await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
          }
        }
        return { digest: hashing.digest, size: hashing.bytes };
      } catch (error) {
        source.destroy();
        hashing.destroy();
        if (isImageError(error)) throw error;
        throw s3Error(`storing blob ${expected.digest ?? ''} in ${where}`.replace('  ', ' '), error);
      }
    },

    // Lazy, as on disk: nothing is requested until the consumer pulls; destroying the stream ends the request.
    get: (digest) => Readable.from(readObject(client, bucket, blobKey(digest), { digest, where }), READ_OPTIONS),
    getRange: (digest, start, end) =>
      Readable.from(
        readObject(client, bucket, blobKey(digest), { digest, where, range: `bytes=${start}-${end}` }),
        READ_OPTIONS,
      ),

    has: async (digest) => (await head(digest)) !== undefined,
    sizeOf: head,

    async remove(digest) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: blobKey(digest) }));
      } catch (error) {
        if (!isMissing(error)) throw s3Error(`removing blob ${digest} from ${where}`, error);
      }
    },

    async *list() {
      let token: string | undefined;
      const blobPrefix = `${prefix}blobs/sha256/`;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: blobPrefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          const digest = `sha256:${(object.Key ?? '').slice(blobPrefix.length)}`;
          if (isDigest(digest)) yield digest;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    async removeStaleTemporaries(idleSince) {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: temporaryPrefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key && object.LastModified && object.LastModified <= idleSince) {
            await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key })).catch(() => undefined);
          }
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      await abortIdleMultipartUploads(client, bucket, prefix, idleSince);
    },
  };
}

/** The client for a configuration; checksums only where S3 requires them (MinIO and older servers refuse the others). */
export function createS3Client(config: S3BlobStorageConfig): S3Client {
  return new S3Client({
    region: config.region ?? 'us-east-1',
    ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
    ...(config.credentials !== undefined && { credentials: config.credentials }),
    forcePathStyle: config.forcePathStyle ?? false,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Abort multipart uploads under the prefix that a dead process left (no part written since
 * `idleSince`). A server that cannot list uploads (NotImplemented) is left to its own expiry:
 * docs/cloud.md asks for a bucket rule that aborts incomplete uploads after a day.
 */
async function abortIdleMultipartUploads(client: S3Client, bucket: string, prefix: string, idleSince: Date) {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    let page;
    try {
      page = await client.send(
        new ListMultipartUploadsCommand({
          Bucket: bucket,
          Prefix: prefix,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
    } catch (error) {
      if (error instanceof S3ServiceException && error.name === 'NotImplemented') return;
      throw s3Error(`listing unfinished uploads in s3://${bucket}/${prefix}`, error);
    }
    for (const upload of page.Uploads ?? []) {
      if (!upload.Key || !upload.UploadId || !upload.Initiated || upload.Initiated > idleSince) continue;
      const parts = await client.send(
        new ListPartsCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
      );
      const lastWrite = Math.max(
        upload.Initiated.getTime(),
        ...(parts.Parts ?? []).map((part) => part.LastModified?.getTime() ?? 0),
      );
      if (lastWrite > idleSince.getTime()) continue;
      await client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }))
        .catch(() => undefined);
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker);
}

const READ_OPTIONS = { objectMode: false, highWaterMark: 64 * 1024 };

/**
 * The bytes of an object; without a range, hashed as they go and followed by a digest-mismatch
 * error if they are not the blob `digest` names.
 */
async function* readObject(
  client: S3Client,
  bucket: string,
  key: string,
  options: { digest: string; where: string; range?: string },
): AsyncGenerator<Buffer> {
  let body: Readable;
  try {
    const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: options.range }));
    if (!(result.Body instanceof Readable)) throw new Error('the response has no body stream');
    body = result.Body;
  } catch (error) {
    if (isMissing(error)) {
      throw new ImageError('not-found', `blob ${options.digest} is not in ${options.where}; store or fetch it first`);
    }
    throw s3Error(`reading blob ${options.digest} from ${options.where}`, error);
  }
  const hash = options.range === undefined ? createHash('sha256') : undefined;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    hash?.update(chunk);
    yield chunk;
  }
  if (hash) {
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== options.digest) {
      throw new ImageError(
        'digest-mismatch',
        `reading blob ${options.digest}: its content now hashes to ${actual}; the stored blob is corrupt or was tampered with, remove it and upload it again`,
      );
    }
  }
}

function checkedHex(digest: string): string {
  if (!isDigest(digest)) {
    throw new ImageError(
      'invalid-digest',
      `invalid digest ${JSON.stringify(String(digest).slice(0, 100))}: expected "sha256:" followed by 64 lower-case hex characters`,
    );
  }
  return digest.slice('sha256:'.length);
}

function checkExpected(expected: { digest?: string; size?: number }, digest: string, size: number) {
  if (expected.size !== undefined && size !== expected.size) {
    return new ImageError(
      'digest-mismatch',
      `storing blob ${expected.digest ?? digest}: got ${size} bytes, expected ${expected.size}; the source is incomplete or not the announced blob`,
    );
  }
  if (expected.digest !== undefined && digest !== expected.digest) {
    return new ImageError(
      'digest-mismatch',
      `storing blob: content hashes to ${digest}, expected ${expected.digest}; the upload is corrupt or was tampered with, send it again`,
    );
  }
  return undefined;
}

function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

function isMissing(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404;
}

function s3Error(doing: string, error: unknown): ImageError {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ImageError(
    'io',
    `${doing}: ${reason} — check OPENAOS_S3_ENDPOINT, the bucket and the credentials (docs/cloud.md)`,
    { cause: error },
  );
}
