import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnvironment } from './env.js';

describe('readEnvironment', () => {
  it('defaults AOS_HOME to ~/.aos', () => {
    expect(readEnvironment({ HOME: '/home/someone' }).aosHome).toBe(join('/home/someone', '.aos'));
  });
  it('takes an absolute AOS_HOME and refuses a relative one', () => {
    expect(readEnvironment({ AOS_HOME: '/tmp/x/' }).aosHome).toBe('/tmp/x');
    expect(() => readEnvironment({ AOS_HOME: 'relative' })).toThrow(/absolute/);
  });
  it('reads AOS_DEBUG', () => {
    expect(readEnvironment({ AOS_DEBUG: '1' }).debug).toBe(true);
    expect(readEnvironment({}).debug).toBe(false);
  });
  it('reads SOURCE_DATE_EPOCH as whole seconds and refuses anything else', () => {
    expect(readEnvironment({}).sourceDateEpoch).toBeUndefined();
    expect(readEnvironment({ SOURCE_DATE_EPOCH: '1767225600' }).sourceDateEpoch?.toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    expect(() => readEnvironment({ SOURCE_DATE_EPOCH: '2026-01-01' })).toThrow(/SOURCE_DATE_EPOCH/);
  });
});
