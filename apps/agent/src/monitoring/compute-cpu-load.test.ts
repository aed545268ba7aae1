import { describe, expect, it } from 'vitest';
import { computeInstanceCpuPercent, computeUnitCpuPercent, toReportedCpu } from './compute-cpu-load.js';
import { MovingAverage } from './moving-average.js';

describe('computeInstanceCpuPercent', () => {
  it.each([
    { used: 1_000_000_000, wallMs: 1000, cpus: 2, expected: 50 }, // one full core of two
    { used: 500_000_000, wallMs: 1000, cpus: 1, expected: 50 },
    { used: 4_000_000_000, wallMs: 1000, cpus: 2, expected: 100 }, // capped
    { used: -5, wallMs: 1000, cpus: 2, expected: 0 }, // counter reset (restart)
    { used: 1, wallMs: 0, cpus: 2, expected: 0 },
  ])('$used ns in $wallMs ms on $cpus cpus → $expected %', ({ used, wallMs, cpus, expected }) => {
    expect(
      computeInstanceCpuPercent({ cpuNanoseconds: 10, at: 0 }, { cpuNanoseconds: 10 + used, at: wallMs }, cpus),
    ).toBe(expected);
  });
});

describe('computeUnitCpuPercent / toReportedCpu', () => {
  it('is the busy share of the elapsed jiffies, reported in DMIPS when known', () => {
    const percent = computeUnitCpuPercent({ busy: 100, total: 1000 }, { busy: 150, total: 1200 });
    expect(percent).toBe(25);
    expect(toReportedCpu(percent, 20000)).toBe(5000);
    expect(toReportedCpu(percent, undefined)).toBe(25);
  });
});

describe('MovingAverage', () => {
  it('averages the last window values', () => {
    const average = new MovingAverage(3);
    expect([1, 2, 3, 10].map((value) => average.push(value))).toEqual([1, 1.5, 2, 5]);
  });
});
