import { resolve } from 'node:path';
import { DEFAULT_PASSWORD_HASH_COST, PASSWORD_HASH_COST_RANGE } from '@openaos/api';
import { parseSourceDateEpoch } from '@openaos/image';
import { z } from 'zod';
import { s3ConfigOf, s3EnvSchema } from './s3-env.js';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Everything the cloud keeps on disk: PGlite, blobs, the CA. */
  OPENAOS_DATA_DIR: z.string().min(1).default('./.data'),
  /** PostgreSQL instead of the embedded PGlite. */
  DATABASE_URL: z.string().url().optional(),
  /** The first admin's password (first start only); random and printed once when absent. */
  OPENAOS_ADMIN_PASSWORD: z.string().min(12, 'must have at least 12 characters').optional(),
  OPENAOS_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().optional(),
  /** Mark the session cookie Secure: set when the cloud is reached over HTTPS (behind a proxy). */
  OPENAOS_SECURE_COOKIES: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /**
   * Seconds a cloud process counts as alive after its last heartbeat: a process that dies while
   * building a version has that version failed by another process after this long.
   */
  OPENAOS_PROCESS_LEASE_SECONDS: z.coerce.number().int().min(3).max(3600).default(30),
  /**
   * How many reverse proxies in front of the cloud append to X-Forwarded-For. 0 (the default):
   * the header is ignored and the socket's peer is the client, so a client cannot choose the
   * address that sign-in throttling counts it by.
   */
  OPENAOS_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  /** The address people and units use: printed at start, and the cloud URL of provisioning commands. */
  OPENAOS_PUBLIC_URL: z.string().url().optional(),
  /** Turns on GET /metrics (Prometheus), which then needs `Authorization: Bearer <this token>`. Off when unset. */
  OPENAOS_METRICS_TOKEN: z.string().min(16, 'must have at least 16 characters (e.g. openssl rand -hex 16)').optional(),
  /** Hours raw monitoring samples are kept (docs/monitoring.md). */
  OPENAOS_MONITORING_RAW_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 31)
    .default(24),
  /** Days five-minute monitoring averages are kept. */
  OPENAOS_MONITORING_ROLLUP_DAYS: z.coerce.number().int().min(1).max(3660).default(30),
  /** Days hourly monitoring averages are kept (week and month charts read them). */
  OPENAOS_MONITORING_HOURLY_DAYS: z.coerce.number().int().min(1).max(3660).default(365),
  /**
   * log2 of scrypt's N for passwords hashed from now on (default 15: 32 MiB and ~0.1–0.2 s of a
   * core per sign-in). Stored hashes keep theirs. Lower it only where hashing costs more than it
   * protects (a test suite); each step down halves the cost of guessing a stolen hash.
   */
  OPENAOS_PASSWORD_HASH_COST: z.coerce
    .number()
    .int()
    .min(PASSWORD_HASH_COST_RANGE.min)
    .max(PASSWORD_HASH_COST_RANGE.max)
    .default(DEFAULT_PASSWORD_HASH_COST),
  /** reproducible-builds.org: the created time of every image built, instead of each package's signing time. */
  SOURCE_DATE_EPOCH: z
    .string()
    .optional()
    .transform((value, context) => {
      try {
        return parseSourceDateEpoch(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
});

const withS3 = schema.and(s3EnvSchema);

export type Env = z.infer<typeof withS3> & { dataDir: string; s3: ReturnType<typeof s3ConfigOf> };

/** The cloud's environment, read and validated in this one place. Exits with the problems listed. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = withS3.safeParse(Object.fromEntries(Object.entries(source).filter(([, value]) => value !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`The cloud's environment is invalid:\n${problems}`);
  }
  return { ...parsed.data, dataDir: resolve(parsed.data.OPENAOS_DATA_DIR), s3: s3ConfigOf(parsed.data) };
}
