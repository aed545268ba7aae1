import { describe, expect, it } from 'vitest';
import { isKnownArchitecture, mapArchitecture } from './map-architecture.js';

describe('mapArchitecture', () => {
  it.each([
    ['x86', 'amd64'],
    ['x86_64', 'amd64'],
    ['amd64', 'amd64'],
    ['X86_64', 'amd64'],
    ['arm', 'arm'],
    ['armv7', 'arm'],
    ['aarch64', 'arm64'],
    ['arm64', 'arm64'],
    [undefined, 'amd64'],
  ] as const)('%s → %s', (buildArch, architecture) => {
    expect(mapArchitecture(buildArch)).toBe(architecture);
  });

  it('knows which names are valid', () => {
    expect(isKnownArchitecture('aarch64')).toBe(true);
    expect(isKnownArchitecture('sparc')).toBe(false);
  });
});
