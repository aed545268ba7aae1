import { describe, expect, it } from 'vitest';
import { parseLogTime } from './logs.js';

describe('aos logs times', () => {
  const now = new Date('2026-12-05T12:00:00.000Z');

  it.each([
    ['30s', '2026-12-05T11:59:30.000Z'],
    ['15m', '2026-12-05T11:45:00.000Z'],
    ['1h', '2026-12-05T11:00:00.000Z'],
    ['2d', '2026-12-03T12:00:00.000Z'],
    ['2026-12-05T10:00:00Z', '2026-12-05T10:00:00.000Z'],
  ])('reads %s', (value, expected) => {
    expect(parseLogTime(value, '--since', now).toISOString()).toBe(expected);
  });

  it('refuses anything else, naming the option and the forms it takes', () => {
    expect(() => parseLogTime('yesterday', '--since', now)).toThrow(/"yesterday" is not a time/);
    let caught: unknown;
    try {
      parseLogTime('1w', '--until', now);
    } catch (error) {
      caught = error;
    }
    expect((caught as { hint?: string } | undefined)?.hint).toMatch(/30s, 15m, 1h, 2d.*--until/);
  });
});
