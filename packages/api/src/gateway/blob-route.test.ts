import { describe, expect, it } from 'vitest';
import { readRange } from './blob-route.js';

describe('readRange', () => {
  it.each([
    [undefined, 100, undefined],
    ['bytes=0-', 100, { start: 0, end: 99 }],
    ['bytes=10-', 100, { start: 10, end: 99 }],
    ['bytes=10-19', 100, { start: 10, end: 19 }],
    ['bytes=90-500', 100, { start: 90, end: 99 }],
    ['bytes=-30', 100, { start: 70, end: 99 }],
    ['bytes=-300', 100, { start: 0, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=20-10', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=-', 100, 'unsatisfiable'],
    ['bytes=0-1,5-6', 100, 'unsatisfiable'],
    ['items=0-1', 100, 'unsatisfiable'],
    ['bytes=0-', 0, 'unsatisfiable'],
  ] as const)('%s of %i bytes → %j', (header, size, expected) => {
    expect(readRange(header, size)).toEqual(expected);
  });
});
