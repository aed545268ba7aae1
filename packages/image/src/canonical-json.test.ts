import { describe, expect, it } from 'vitest';
import { serializeCanonicalJson } from './canonical-json.js';

describe('serializeCanonicalJson', () => {
  it('sorts keys at every depth, keeps array order, drops undefined', () => {
    const a = { b: 1, a: { d: [3, 1, { z: 1, y: 2 }], c: undefined }, e: 'x' };
    const b = { e: 'x', a: { d: [3, 1, { y: 2, z: 1 }] }, b: 1 };
    expect(serializeCanonicalJson(a)).toBe('{"a":{"d":[3,1,{"y":2,"z":1}]},"b":1,"e":"x"}');
    expect(serializeCanonicalJson(b)).toBe(serializeCanonicalJson(a));
  });
});
