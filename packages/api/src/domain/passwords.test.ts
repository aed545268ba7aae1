import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PASSWORD_HASH_COST,
  generatePassword,
  hashPassword,
  setPasswordHashCost,
  verifyPassword,
} from './passwords.js';

describe('passwords', () => {
  it('hashes with scrypt and a per-password salt, and verifies', async () => {
    const first = await hashPassword('s3cret password');
    const second = await hashPassword('s3cret password');
    expect(first).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword('s3cret password', first)).toBe(true);
    expect(await verifyPassword('s3cret passwore', first)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('makes new hashes at the process’s cost; stored hashes keep verifying at theirs', async () => {
    const strong = await hashPassword('s3cret password');
    try {
      setPasswordHashCost(10);
      const light = await hashPassword('s3cret password');
      expect(light).toMatch(/^scrypt\$1024\$8\$1\$/);
      expect(await verifyPassword('s3cret password', light)).toBe(true);
      expect(await verifyPassword('s3cret password', strong)).toBe(true);
      expect(await verifyPassword('s3cret passwore', strong)).toBe(false);
      expect(() => setPasswordHashCost(9)).toThrow(/password hash cost 9: must be an integer from 10 to 20/);
      expect(() => setPasswordHashCost(15.5)).toThrow(/must be an integer/);
    } finally {
      setPasswordHashCost(DEFAULT_PASSWORD_HASH_COST);
    }
    expect(await hashPassword('x')).toMatch(/^scrypt\$32768\$/);
  });

  it('generates distinct typeable passwords', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(a).not.toBe(generatePassword());
  });
});
