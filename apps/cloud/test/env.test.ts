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
    expect(readEnv({}).OPENAOS_METRICS_TOKEN).toBeUndefined();
    expect(() => readEnv({ OPENAOS_METRICS_TOKEN: 'short' })).toThrow(/OPENAOS_METRICS_TOKEN: must have at least 16/);
    expect(readEnv({ OPENAOS_MONITORING_RAW_HOURS: '48' }).OPENAOS_MONITORING_RAW_HOURS).toBe(48);
  });
});
