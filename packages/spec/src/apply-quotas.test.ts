import { describe, expect, it } from 'vitest';
import { applyQuotas, computeCpuQuota } from './apply-quotas.js';
import { defaultSpec } from './default-spec.js';
import { createSampleInput } from './testing/sample-input.js';

describe('computeCpuQuota', () => {
  it.each([
    { quotas: { cpuDmipsLimit: 5000 }, unit: { cpuCount: 2, maxDmips: 20000 }, expected: 50_000 },
    { quotas: { cpuDmipsLimit: 20000 }, unit: { cpuCount: 4, maxDmips: 20000 }, expected: 400_000 },
    { quotas: { cpuDmipsLimit: 1 }, unit: { cpuCount: 1, maxDmips: 100000 }, expected: 1_000 }, // floor 1 → min 1000
    { quotas: { cpuDmipsLimit: 333 }, unit: { cpuCount: 1, maxDmips: 1000 }, expected: 33_300 },
    { quotas: { cpuLimit: 50 }, unit: { cpuCount: 2 }, expected: 100_000 },
    { quotas: { cpuLimit: 100 }, unit: { cpuCount: 4 }, expected: 400_000 },
    { quotas: { cpuLimit: 0.5 }, unit: { cpuCount: 1 }, expected: 1_000 },
    { quotas: { cpuDmipsLimit: 10000, cpuLimit: 10 }, unit: { cpuCount: 2, maxDmips: 20000 }, expected: 100_000 }, // DMIPS wins
    { quotas: { ramLimit: 1 }, unit: { cpuCount: 2 }, expected: undefined },
  ])('$quotas on $unit → $expected', ({ quotas, unit, expected }) => {
    expect(computeCpuQuota(quotas, unit)).toBe(expected);
  });

  it.each([
    { quotas: { cpuDmipsLimit: 1000 }, unit: { cpuCount: 2 }, code: 'missing-unit-setting' },
    { quotas: { cpuDmipsLimit: -5 }, unit: { cpuCount: 2, maxDmips: 10 }, code: 'invalid-quota' },
    { quotas: { cpuLimit: 150 }, unit: { cpuCount: 2 }, code: 'invalid-quota' },
    { quotas: { cpuLimit: 0 }, unit: { cpuCount: 2 }, code: 'invalid-quota' },
  ])('refuses $quotas on $unit with $code', ({ quotas, unit, code }) => {
    expect(() => computeCpuQuota(quotas, unit)).toThrow(expect.objectContaining({ code }));
  });
});

describe('applyQuotas', () => {
  it('replaces the default RLIMIT_NOFILE instead of adding a second one', () => {
    const input = createSampleInput({ serviceConfig: { quotas: { noFileLimit: 4096 } } });
    expect(applyQuotas(defaultSpec(), input).process.rlimits).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 4096, hard: 4096 },
    ]);
  });

  it('leaves the spec as it is without quotas', () => {
    const spec = defaultSpec();
    expect(applyQuotas(spec, createSampleInput({ serviceConfig: {} }))).toBe(spec);
  });

  it.each(['ramLimit', 'pidsLimit', 'noFileLimit', 'tmpLimit'])('refuses a non-integer %s', (name) => {
    const input = createSampleInput({ serviceConfig: { quotas: { [name]: 1.5 } } });
    expect(() => applyQuotas(defaultSpec(), input)).toThrow(
      expect.objectContaining({ code: 'invalid-quota', message: expect.stringContaining(name) }),
    );
  });
});

describe('applyQuotas memory', () => {
  it('limits swap to the memory limit, unless the kernel has no swap accounting', () => {
    const serviceConfig = { quotas: { ramLimit: 1 << 20 } };
    expect(applyQuotas(defaultSpec(), createSampleInput({ serviceConfig })).linux.resources.memory).toEqual({
      limit: 1 << 20,
      swap: 1 << 20,
    });
    const unit = { cpuCount: 1, swapAccounting: false };
    expect(applyQuotas(defaultSpec(), createSampleInput({ serviceConfig, unit })).linux.resources.memory).toEqual({
      limit: 1 << 20,
    });
  });
});
