import { describe, expect, it } from 'vitest';
import { readMonitoringFlags } from './monitoring-flags.js';

describe('readMonitoringFlags', () => {
  it.each([
    [{}, {}],
    [{ 'monitoring-period': '1', 'monitoring-poll': '0.5' }, 'out of range'],
    [
      { 'monitoring-period': '5', 'monitoring-poll': '1', 'monitoring-window': '3' },
      { monitoringPeriodMs: 5000, monitoringPollMs: 1000, monitoringAverageWindowMs: 3000 },
    ],
    [{ 'monitoring-buffer': '500' }, { monitoringBufferSamples: 500 }],
  ] as const)('%j', (values, expected) => {
    const result = readMonitoringFlags(values);
    if (expected === 'out of range')
      expect(result).toBe('--monitoring-poll 0.5: give seconds from 1 to 86400 (e.g. --monitoring-poll 60)');
    else expect(result).toEqual(expected);
  });

  it('names the flag and what to give', () => {
    expect(readMonitoringFlags({ 'monitoring-period': 'often' })).toMatch(/^--monitoring-period often: give seconds/);
    expect(readMonitoringFlags({ 'monitoring-buffer': '1.5' })).toMatch(
      /^--monitoring-buffer 1.5: give a whole number/,
    );
    expect(readMonitoringFlags({ 'monitoring-poll': '5', 'monitoring-window': '2' })).toBe(
      '--monitoring-window 2: must be at least the poll period (5 s)',
    );
  });
});
