import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseSize } from './parse-size.js';

describe('parseSize', () => {
  it.each([
    [64, 64],
    ['64', 64],
    ['0', 0],
    ['1b', 1],
    ['2kB', 2000],
    ['2KB', 2000],
    ['32Kb', 32_000], // aos-signer lower-cases units: Kb is kilobytes, not kilobits
    ['1.5k', 1500],
    ['4ki', 4096],
    ['4kibits', 4096],
    ['4KiB', 4096],
    ['100M', 100_000_000],
    ['200MB', 200_000_000],
    ['8MB', 8_000_000],
    ['512MiB', 512 * 1024 * 1024],
    ['2Mi', 2 * 1024 * 1024],
    ['1GB', 1_000_000_000],
    ['1g', 1_000_000_000],
    ['1GiB', 1024 ** 3],
    ['200 MB', 200_000_000],
    ['1.5b', 1],
    [1.9, 1],
  ] as const)('%s → %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each(['', 'MB', '-1', '10 lightyears', '1.2.3MB', '1TB', 'ten', '1e3'])('refuses %j', (input) => {
    expect(() => parseSize(input)).toThrow(ConfigError);
    try {
      parseSize(input);
    } catch (error) {
      expect((error as ConfigError).code).toBe('invalid-size');
    }
  });

  it('refuses negative and infinite numbers', () => {
    expect(() => parseSize(-1)).toThrow(/zero or more/);
    expect(() => parseSize(Number.POSITIVE_INFINITY)).toThrow(ConfigError);
  });
});
