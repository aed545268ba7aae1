/**
 * Tests only: a real S3-protocol server (s3rver, on the file system) on a free loopback port with
 * one empty bucket, and the configuration that reaches it — as MinIO is reached: an endpoint, path
 * style, static credentials (s3rver checks signatures against S3RVER/S3RVER).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
// @ts-expect-error -- s3rver ships no types; S3rverConstructor below types what is used
import s3rverModule from 's3rver';
import type { S3BlobStorageConfig } from '../s3-blob-storage.js';

/** The part of s3rver's API used here (it ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverInstance;
const S3rver = s3rverModule as S3rverConstructor;

export interface TestS3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  config: S3BlobStorageConfig;
  /** The OPENAOS_S3_* variables of the same configuration (for a cloud process). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startTestS3Server(options: { bucket?: string; prefix?: string } = {}): Promise<TestS3Server> {
  const bucket = options.bucket ?? 'openaos-test';
  const directory = await mkdtemp(join(tmpdir(), 'openaos-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    endpoint,
    config: { bucket, endpoint, region: 'us-east-1', credentials, forcePathStyle: true, prefix: options.prefix },
    env: {
      OPENAOS_S3_BUCKET: bucket,
      OPENAOS_S3_ENDPOINT: endpoint,
      OPENAOS_S3_REGION: 'us-east-1',
      OPENAOS_S3_ACCESS_KEY_ID: credentials.accessKeyId,
      OPENAOS_S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      OPENAOS_S3_FORCE_PATH_STYLE: 'true',
      ...(options.prefix !== undefined && { OPENAOS_S3_PREFIX: options.prefix }),
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
