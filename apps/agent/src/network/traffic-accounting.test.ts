import { describe, expect, it } from 'vitest';
import { buildTrafficChain, parseCounters, periodStart } from './traffic-accounting.js';

describe('traffic accounting', () => {
  it('starts periods at UTC boundaries', () => {
    const now = new Date('2026-12-05T13:47:12.345Z');
    expect(periodStart(now, 'minute')).toBe('2026-12-05T13:47:00.000Z');
    expect(periodStart(now, 'hour')).toBe('2026-12-05T13:00:00.000Z');
    expect(periodStart(now, 'day')).toBe('2026-12-05T00:00:00.000Z');
    expect(periodStart(now, 'month')).toBe('2026-12-01T00:00:00.000Z');
    expect(periodStart(now, 'year')).toBe('2026-01-01T00:00:00.000Z');
  });

  it('skips local ranges, counts with the cap as a quota match, and drops past it', () => {
    const rules = buildTrafficChain('upload', 1000);
    expect(rules[0]).toEqual(['-d', '10.0.0.0/8', '-j', 'RETURN']);
    expect(rules.at(-2)).toEqual([
      '-m',
      'quota',
      '--quota',
      '1000',
      '-m',
      'comment',
      '--comment',
      'counted',
      '-j',
      'RETURN',
    ]);
    expect(rules.at(-1)).toEqual(['-m', 'comment', '--comment', 'over-cap', '-j', 'DROP']);
    expect(buildTrafficChain('download', undefined).at(-2)).toEqual([
      '-m',
      'comment',
      '--comment',
      'counted',
      '-j',
      'RETURN',
    ]);
    expect(buildTrafficChain('download', undefined)[0]?.[0]).toBe('-s');
  });

  it('reads the counted and dropped bytes', () => {
    const text = [
      '-N X',
      '-A X -d 10.0.0.0/8 -c 5 500 -j RETURN',
      '-A X -m quota --quota 1000 -m comment --comment counted -c 3 900 -j RETURN',
      '-A X -m comment --comment over-cap -c 2 3000 -j DROP',
    ].join('\n');
    expect(parseCounters(text)).toEqual({ counted: 900, dropped: 3000 });
  });
});
