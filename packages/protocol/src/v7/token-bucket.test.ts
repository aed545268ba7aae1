import { describe, expect, it } from 'vitest';
import { RecentSet } from './recent-set.js';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst of its capacity, then refills at its rate and never above capacity', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now = 500; // half a second: one token at 2 per second
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now = 60_000; // a long pause refills to capacity only
    expect(Array.from({ length: 4 }, () => bucket.take())).toEqual([true, true, true, false]);
  });
});

describe('RecentSet', () => {
  it('remembers only its last entries', () => {
    const set = new RecentSet(2);
    set.add('a');
    set.add('b');
    set.add('a'); // already there: does not refresh or duplicate
    set.add('c');
    expect(['a', 'b', 'c'].map((value) => set.has(value))).toEqual([false, true, true]);
  });
});
