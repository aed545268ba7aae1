import { describe, expect, it } from 'vitest';
import { allocateId, ID_POOL_FIRST, releaseId } from './id-pool.js';
import { createInstanceId } from './instance-id.js';

describe('id pool', () => {
  it('gives the lowest free id, the same one again for the same key, and reuses released ids', () => {
    const first = allocateId({}, 'a');
    expect(first.id).toBe(ID_POOL_FIRST);
    const second = allocateId(first.pool, 'b');
    expect(second.id).toBe(ID_POOL_FIRST + 1);
    expect(allocateId(second.pool, 'a').id).toBe(ID_POOL_FIRST);
    expect(allocateId(releaseId(second.pool, 'a'), 'c').id).toBe(ID_POOL_FIRST);
  });

  it('refuses when the pool is exhausted', () => {
    const full = Object.fromEntries(Array.from({ length: 5001 }, (_unused, index) => [`k${index}`, 5000 + index]));
    expect(() => allocateId(full, 'new')).toThrow(/all ids 5000–10000 are taken/);
  });
});

describe('createInstanceId', () => {
  it('is a stable name-based UUID v5 per (service, subject, index)', () => {
    const id = createInstanceId('svc', 'subj', 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(createInstanceId('svc', 'subj', 0)).toBe(id);
    expect(createInstanceId('svc', 'subj', 1)).not.toBe(id);
  });
});
