import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { createNormaliser } from './normaliser.mjs';

describe('the docs normaliser', () => {
  it('names exact values, the abbreviated form of a hash, and a port only as a whole number', () => {
    const normaliser = createNormaliser();
    const hash = 'ab'.repeat(32);
    normaliser.replace('/tmp/openaos-docs-x1', '/tmp/docs');
    normaliser.replace(hash, '<package sha256>', { isPadded: false });
    normaliser.replace('41234', '3917', { isWord: true });
    expect(
      normaliser.apply(`/tmp/openaos-docs-x1/data on :41234 (not 412345)\n${hash}  file\nsha3 ${hash.slice(0, 32)}…`),
    ).toBe('/tmp/docs/data on :3917 (not 412345)\n<package sha256>  file\nsha3 <package sha256>…');
  });

  it('replaces times, UUIDs, fingerprints, serials and kids, but not fixed times or kept values', () => {
    const normaliser = createNormaliser();
    normaliser.keep('2efd1506-564e-40de-9466-66ae7a25fac0');
    const kid = Buffer.from('OU=Development,O=OpenAos Dev,CN=OpenAos Dev CA:7F7E2091BE9C8DA3E8ABE67EBE7F00E5').toString(
      'base64',
    );
    const text = [
      'created: 2026-12-04T18:39:37.000Z, package 2000-01-01T00:00:00.000Z',
      'ids: 95dd3724-f2c1-47ef-8ce5-2a1cc3fb834d 2efd1506-564e-40de-9466-66ae7a25fac0',
      `kid: ${kid} serial: 7F7E2091BE9C8DA3E8ABE67EBE7F00E5`,
      `sha256: ${Array.from({ length: 32 }, () => 'A8').join(':')}`,
      'not a kid: c2VydmljZSBzZXJ2aWNlIHNlcnZpY2Ugc2VydmljZSBzZXJ2aWNl',
      '✓ Running next.config.ts took 77ms',
    ].join('\n');
    expect(normaliser.apply(text)).toBe(
      [
        'created: <time>, package 2000-01-01T00:00:00.000Z',
        'ids: <uuid> 2efd1506-564e-40de-9466-66ae7a25fac0',
        'kid: <kid> serial: <serial>',
        'sha256: <sha-256 fingerprint>',
        'not a kid: c2VydmljZSBzZXJ2aWNlIHNlcnZpY2Ugc2VydmljZSBzZXJ2aWNl',
        '✓ Running next.config.ts took <n>ms',
      ].join('\n'),
    );
  });

  it('keeps table columns aligned where a shorter name stands for a value', () => {
    const normaliser = createNormaliser();
    normaliser.replace('8eeb9f87-cc8c-4770-acd9-0c1e209939c9', '<version id>');
    expect(normaliser.apply('1.0.0    8eeb9f87-cc8c-4770-acd9-0c1e209939c9  ready\n')).toBe(
      `1.0.0    ${'<version id>'.padEnd(36)}  ready\n`,
    );
  });
});
