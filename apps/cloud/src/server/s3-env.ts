import type { S3BlobStorageConfig } from '@openaos/api';
import { z } from 'zod';

/**
 * The OPENAOS_S3_* variables: blobs in an S3-compatible bucket (AWS S3, MinIO, …) instead of
 * `<data dir>/blobs`. Setting OPENAOS_S3_BUCKET turns it on; docs/cloud.md has examples.
 */
export const s3EnvSchema = z
  .object({
    OPENAOS_S3_BUCKET: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'must be an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)',
      )
      .optional(),
    /** Absent: AWS S3 itself (for OPENAOS_S3_REGION). */
    OPENAOS_S3_ENDPOINT: z.string().url('must be a URL such as http://minio:9000').optional(),
    OPENAOS_S3_REGION: z.string().min(1).optional(),
    OPENAOS_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    OPENAOS_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** `true` for MinIO and most self-hosted servers (bucket in the path, not the host name). */
    OPENAOS_S3_FORCE_PATH_STYLE: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
    /** Key prefix inside the bucket, e.g. `openaos/`. */
    OPENAOS_S3_PREFIX: z.string().min(1).optional(),
  })
  .superRefine((env, context) => {
    const others = (
      ['OPENAOS_S3_ENDPOINT', 'OPENAOS_S3_REGION', 'OPENAOS_S3_ACCESS_KEY_ID', 'OPENAOS_S3_PREFIX'] as const
    ).filter((name) => env[name] !== undefined);
    if (env.OPENAOS_S3_BUCKET === undefined && others.length > 0) {
      context.addIssue({
        code: 'custom',
        path: ['OPENAOS_S3_BUCKET'],
        message: `is needed with ${others.join(', ')}: name the bucket to keep blobs in, or unset those to keep blobs on disk`,
      });
    }
    if ((env.OPENAOS_S3_ACCESS_KEY_ID === undefined) !== (env.OPENAOS_S3_SECRET_ACCESS_KEY === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [
          env.OPENAOS_S3_ACCESS_KEY_ID === undefined ? 'OPENAOS_S3_ACCESS_KEY_ID' : 'OPENAOS_S3_SECRET_ACCESS_KEY',
        ],
        message:
          'set both OPENAOS_S3_ACCESS_KEY_ID and OPENAOS_S3_SECRET_ACCESS_KEY, or neither (then the AWS_* variables or the instance role are used)',
      });
    }
  });

/** The blob store's configuration from the parsed variables; undefined keeps blobs on disk. */
export function s3ConfigOf(env: z.infer<typeof s3EnvSchema>): S3BlobStorageConfig | undefined {
  if (env.OPENAOS_S3_BUCKET === undefined) return undefined;
  return {
    bucket: env.OPENAOS_S3_BUCKET,
    endpoint: env.OPENAOS_S3_ENDPOINT,
    region: env.OPENAOS_S3_REGION,
    credentials:
      env.OPENAOS_S3_ACCESS_KEY_ID !== undefined && env.OPENAOS_S3_SECRET_ACCESS_KEY !== undefined
        ? { accessKeyId: env.OPENAOS_S3_ACCESS_KEY_ID, secretAccessKey: env.OPENAOS_S3_SECRET_ACCESS_KEY }
        : undefined,
    forcePathStyle: env.OPENAOS_S3_FORCE_PATH_STYLE,
    prefix: env.OPENAOS_S3_PREFIX,
  };
}
