import { describe, expect, it } from 'vitest';
import { applyInstance, formatCgroupsPath } from './apply-instance.js';
import { defaultSpec } from './default-spec.js';
import { createSampleInput } from './testing/sample-input.js';
import type { InstanceInfo } from './types.js';

describe('applyInstance', () => {
  it.each<Partial<InstanceInfo>>([
    { uid: 0 },
    { gid: 0 },
    { uid: -1 },
    { instanceId: '../escape' },
    { instanceId: 'a/b' },
    { instanceId: '' },
    { instanceIndex: -1 },
    { rootfsPath: 'relative/rootfs' },
  ])('refuses %o', (change) => {
    const sample = createSampleInput();
    expect(() => applyInstance(defaultSpec(), { ...sample, instance: { ...sample.instance, ...change } })).toThrow(
      expect.objectContaining({ code: 'invalid-instance' }),
    );
  });
});

describe('formatCgroupsPath', () => {
  it.each([
    { parent: undefined, expected: '/openaos/abc' },
    { parent: '/custom', expected: '/custom/abc' },
    { parent: 'custom/', expected: '/custom/abc' },
  ])('$parent → $expected', ({ parent, expected }) => {
    expect(formatCgroupsPath('abc', parent)).toBe(expected);
  });
});
