import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnv } from '../src/server/env.js';

describe('readEnv', () => {
  it('has defaults for everything: port 3000, ./.data, PGlite', () => {
    const env = readEnv({});
    expect(env).toMatchObject({ PORT: 3000, HOST: '0.0.0.0', OPENAOS_SECURE_COOKIES: false });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.dataDir).toBe(resolve('.data'));
  });

  it('lists every problem at once', () => {
    expect(() => readEnv({ PORT: 'eighty', DATABASE_URL: 'not a url', OPENAOS_ADMIN_PASSWORD: 'short' })).toThrow(
      /PORT:.*\n.*DATABASE_URL:.*\n.*OPENAOS_ADMIN_PASSWORD: must have at least 12 characters/s,
    );
  });

  it('treats empty variables as unset', () => {
    const env = readEnv({ DATABASE_URL: '', PORT: '8080' });
    expect(env.PORT).toBe(8080);
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('keeps /metrics off and monitoring for a day raw and 30 days averaged unless told otherwise', () => {
    expect(readEnv({})).toMatchObject({ OPENAOS_MONITORING_RAW_HOURS: 24, OPENAOS_MONITORING_ROLLUP_DAYS: 30 });
    expect(readEnv({}).OPENAOS_MONITORING_HOURLY_DAYS).toBe(365);
    expect(readEnv({}).OPENAOS_METRICS_TOKEN).toBeUndefined();
    expect(() => readEnv({ OPENAOS_METRICS_TOKEN: 'short' })).toThrow(/OPENAOS_METRICS_TOKEN: must have at least 16/);
    expect(readEnv({ OPENAOS_MONITORING_RAW_HOURS: '48' }).OPENAOS_MONITORING_RAW_HOURS).toBe(48);
  });

  it('hashes passwords at scrypt cost 15 unless told a cost from 10 to 20', () => {
    expect(readEnv({}).OPENAOS_PASSWORD_HASH_COST).toBe(15);
    expect(readEnv({ OPENAOS_PASSWORD_HASH_COST: '10' }).OPENAOS_PASSWORD_HASH_COST).toBe(10);
    expect(() => readEnv({ OPENAOS_PASSWORD_HASH_COST: '8' })).toThrow(/OPENAOS_PASSWORD_HASH_COST/);
    expect(() => readEnv({ OPENAOS_PASSWORD_HASH_COST: '21' })).toThrow(/OPENAOS_PASSWORD_HASH_COST/);
  });

  it('keeps blobs on disk unless OPENAOS_S3_BUCKET is set, and reads the S3 configuration with it', () => {
    expect(readEnv({}).s3).toBeUndefined();
    const env = readEnv({
      OPENAOS_S3_BUCKET: 'openaos-blobs',
      OPENAOS_S3_ENDPOINT: 'http://minio:9000',
      OPENAOS_S3_ACCESS_KEY_ID: 'minioadmin',
      OPENAOS_S3_SECRET_ACCESS_KEY: 'minio secret',
      OPENAOS_S3_FORCE_PATH_STYLE: 'true',
      OPENAOS_S3_PREFIX: 'cloud/',
    });
    expect(env.s3).toEqual({
      bucket: 'openaos-blobs',
      endpoint: 'http://minio:9000',
      region: undefined,
      credentials: { accessKeyId: 'minioadmin', secretAccessKey: 'minio secret' },
      forcePathStyle: true,
      prefix: 'cloud/',
    });
    // AWS S3: the region and the SDK's own credential chain.
    expect(readEnv({ OPENAOS_S3_BUCKET: 'openaos-blobs', OPENAOS_S3_REGION: 'eu-west-1' }).s3).toMatchObject({
      region: 'eu-west-1',
      credentials: undefined,
      forcePathStyle: false,
    });
  });

  it('names the S3 variable that is missing or wrong, and what to do', () => {
    expect(() => readEnv({ OPENAOS_S3_ENDPOINT: 'http://minio:9000' })).toThrow(
      /OPENAOS_S3_BUCKET: is needed with OPENAOS_S3_ENDPOINT: name the bucket/,
    );
    expect(() => readEnv({ OPENAOS_S3_BUCKET: 'b1', OPENAOS_S3_ACCESS_KEY_ID: 'key' })).toThrow(
      /OPENAOS_S3_BUCKET: must be an S3 bucket name.*\n.*OPENAOS_S3_SECRET_ACCESS_KEY: set both/s,
    );
    expect(() => readEnv({ OPENAOS_S3_BUCKET: 'blobs', OPENAOS_S3_FORCE_PATH_STYLE: 'yes' })).toThrow(
      /OPENAOS_S3_FORCE_PATH_STYLE: must be true or false/,
    );
  });
});
