import { describe, expect, it } from 'vitest';
import { checkStorageSpace, computeRequiredSpace } from './check-storage-space.js';

describe('computeRequiredSpace', () => {
  it.each([
    ['half the quota when nothing is requested', { quotas: { storageLimit: 1000, stateLimit: 100 } }, 0, 550],
    ['the request, up to the quota', { quotas: { storageLimit: 1000 }, requestedResources: { storage: 300 } }, 0, 300],
    ['never more than the quota', { quotas: { storageLimit: 1000 }, requestedResources: { storage: 5000 } }, 0, 1000],
    ['no reservation with skipResourceLimits', { skipResourceLimits: true, quotas: { storageLimit: 1000 } }, 10, 20],
    ['the missing blobs twice', {}, 400, 800],
  ])('%s', (_name, config, blobs, total) => {
    expect(computeRequiredSpace(config, blobs).total).toBe(total);
  });
});

describe('checkStorageSpace', () => {
  it('refuses with "not enough storage space" and the figures', () => {
    expect(() => checkStorageSpace('installing s@1', { quotas: { storageLimit: 4e9 } }, 1e6, 5e8)).toThrow(
      /installing s@1: not enough storage space: it needs 2002\.0 MB \(image 2\.0 MB, storage 2000\.0 MB, state 0 kB\) and the unit has 500\.0 MB free/,
    );
    expect(() => checkStorageSpace('x', { quotas: { storageLimit: 4e8 } }, 1e6, 5e8)).not.toThrow();
  });
});
