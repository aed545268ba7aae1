import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createCertificateAuthority } from './certificate-authority.js';
import { escapeRfc4514Value } from './distinguished-name.js';
import { issueLeaf } from './issue.js';
import { aosKeyId, formatSerial } from './key-id.js';
import { hasPythonCryptography, makeTempDirectory, runPython } from './test-helpers.js';

describe('aosKeyId', () => {
  test('reproduces the kid of the real package.sign signed by "Aos SP Issuing CA"', () => {
    const ca = createCertificateAuthority({
      commonName: 'Aos SP Issuing CA',
      organization: 'EPAM',
      organizationalUnit: 'Aos',
    });
    const issued = issueLeaf(ca, {
      subject: { commonName: 'sp user', organization: 'aoscloud.io', organizationalUnit: 'Service Provider' },
      profile: 'client',
      validDays: 30,
      serialNumber: '62B17649000AD78B',
    });
    const kid = aosKeyId(new X509Certificate(issued.certificatePem));
    expect(kid).toBe('T1U9QW9zLE89RVBBTSxDTj1Bb3MgU1AgSXNzdWluZyBDQTo2MkIxNzY0OTAwMEFENzhC');
    expect(Buffer.from(kid, 'base64').toString()).toBe('OU=Aos,O=EPAM,CN=Aos SP Issuing CA:62B17649000AD78B');
  });

  test('pads the serial to an even number of hex digits', () => {
    expect(formatSerial(Buffer.from('0abc', 'hex'))).toBe('0ABC');
    expect(formatSerial(Buffer.from('00ff', 'hex'))).toBe('FF');
    expect(formatSerial(Buffer.from('0102', 'hex'))).toBe('0102');
  });

  test('escapes special characters as RFC 4514 requires', () => {
    expect(escapeRfc4514Value('a,b+c')).toBe('a\\,b\\+c');
    expect(escapeRfc4514Value(' #lead')).toBe('\\ #lead');
    expect(escapeRfc4514Value('#x')).toBe('\\#x');
    expect(escapeRfc4514Value('trail ')).toBe('trail\\ ');
    expect(escapeRfc4514Value('q"<>;\\')).toBe('q\\"\\<\\>\\;\\\\');
  });

  test.runIf(hasPythonCryptography())(
    'matches Python cryptography for names with special characters and non-ASCII text',
    () => {
      const ca = createCertificateAuthority({
        commonName: ' Ünïcødé, CA+1 ',
        organization: 'A;B "C"',
        organizationalUnit: '#ou<x>',
      });
      const issued = issueLeaf(ca, {
        subject: { commonName: 'leaf' },
        profile: 'client',
        validDays: 1,
        serialNumber: '0ABCDEF',
      });
      const path = join(makeTempDirectory(), 'leaf.pem');
      writeFileSync(path, issued.certificatePem);
      const expected = runPython(
        `import sys, base64
from cryptography import x509
c = x509.load_pem_x509_certificate(open(sys.argv[1], 'rb').read())
serial = '%X' % c.serial_number
serial = '0' + serial if len(serial) % 2 else serial
print(base64.b64encode((c.issuer.rfc4514_string() + ':' + serial).encode()).decode(), end='')`,
        [path],
      );
      expect(aosKeyId(new X509Certificate(issued.certificatePem))).toBe(expected);
      expect(Buffer.from(expected, 'base64').toString()).toContain('CN=\\ Ünïcødé\\, CA\\+1\\ ');
    },
  );
});
