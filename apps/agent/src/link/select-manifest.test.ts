import { describe, expect, it } from 'vitest';
import { ociArchitecture, selectManifest } from './select-manifest.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const index = (manifests: object[]) => JSON.stringify({ schemaVersion: 2, manifests });

describe('selectManifest', () => {
  it('picks the linux manifest of the architecture', () => {
    const text = index([
      { digest: A, size: 10, platform: { architecture: 'arm64', os: 'linux' } },
      { digest: B, size: 20, platform: { architecture: 'amd64', os: 'linux' } },
    ]);
    expect(selectManifest(text, 'amd64')).toEqual({ digest: B, size: 20 });
    expect(selectManifest(text, 'arm64')).toEqual({ digest: A, size: 10 });
  });

  it('takes the only manifest of an index without platforms', () => {
    expect(selectManifest(index([{ digest: A, size: 10 }]), 'amd64')).toEqual({ digest: A, size: 10 });
  });

  it.each([
    ['not json', 'nope', /not JSON/],
    ['no manifests', index([]), /names no manifest/],
    [
      'another architecture',
      index([{ digest: A, size: 1, platform: { architecture: 'arm64', os: 'linux' } }]),
      /no manifest for linux\/amd64 \(it offers linux\/arm64\)/,
    ],
    ['a bad digest', index([{ digest: 'sha256:zz', size: 1 }]), /without a sha256 digest/],
    ['no size', index([{ digest: A }]), /gives no size/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => selectManifest(text, 'amd64')).toThrow(message);
  });

  it('names architectures as OCI does', () => {
    expect(ociArchitecture('x64')).toBe('amd64');
    expect(ociArchitecture('arm64')).toBe('arm64');
  });
});
