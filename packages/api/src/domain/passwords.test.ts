import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';

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

  it('generates distinct typeable passwords', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(a).not.toBe(generatePassword());
  });
});
