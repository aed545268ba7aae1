import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { isIsoDuration, parseIsoDuration } from './parse-duration.js';

describe('parseIsoDuration', () => {
  it.each([
    ['PT10S', 10_000],
    ['PT1S', 1000],
    ['PT0.5S', 500],
    ['PT0,5S', 500],
    ['PT1M', 60_000],
    ['PT5M', 300_000],
    ['PT1H30M', 5_400_000],
    ['P1D', 86_400_000],
    ['P1DT3H', 97_200_000],
    ['P7D', 604_800_000],
    ['P1W', 604_800_000],
    ['P1M', 30 * 86_400_000], // months count 30 days
    ['P1Y', 365 * 86_400_000],
    ['P0000-00-01T00:00:10', 86_410_000],
  ] as const)('%s → %d ms', (input, milliseconds) => {
    expect(parseIsoDuration(input)).toBe(milliseconds);
  });

  it.each(['', 'P', 'PT', '10S', 'PT10', 'pt10s', '5s', 'P1H', 'PT1D', 'P-1D', 'PT1S1M', '1m30s'])(
    'refuses %j',
    (input) => {
      expect(isIsoDuration(input)).toBe(false);
      expect(() => parseIsoDuration(input)).toThrow(ConfigError);
    },
  );

  it('names the value and the expected form in the error', () => {
    expect(() => parseIsoDuration('10 seconds')).toThrow(/"10 seconds".*ISO 8601 duration such as 'PT10S'/);
  });
});
