import { describe, expect, it } from 'vitest';
import { imageSizeFor } from './instance-volumes.js';

describe('imageSizeFor', () => {
  it('adds ext4 metadata room to the limit, in whole 4 KiB blocks', () => {
    const size = imageSizeFor(2_000_000);
    expect(size % 4096).toBe(0);
    expect(size).toBeGreaterThan(2_000_000);
    expect(size).toBeLessThan(2_000_000 * 1.1);
  });

  it('never goes below the smallest image', () => {
    expect(imageSizeFor(1234)).toBe(256 * 1024);
  });
});
