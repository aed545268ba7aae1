import { describe, expect, it } from 'vitest';
import { compareSemver, isSemver } from './semver.js';

describe('compareSemver', () => {
  it.each([
    ['1.0.0', '1.0.1', -1],
    ['1.10.0', '1.9.9', 1],
    ['2.0.0', '2.0.0+build.5', 0],
    ['1.0.0-alpha', '1.0.0', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.beta', '1.0.0-beta', -1],
    ['1.0.0-beta.2', '1.0.0-beta.11', -1],
    ['1.0.0-rc.1', '1.0.0-beta.11', 1],
    ['1.0.0-1', '1.0.0-alpha', -1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareSemver(a, b))).toBe(sign);
    expect(Math.sign(compareSemver(b, a))).toBe(-sign || 0);
  });

  it('knows SemVer from other strings', () => {
    expect(isSemver('1.2.3')).toBe(true);
    expect(isSemver('01.2.3')).toBe(false);
    expect(isSemver('1.2')).toBe(false);
    expect(() => compareSemver('1.2', '1.2.3')).toThrow(/not SemVer/);
  });
});
