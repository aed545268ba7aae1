import type { X509Certificate } from 'node:crypto';
import { formatRfc4514, parseCertificateNames } from './distinguished-name.js';

/**
 * The `kid` aos-signer puts in `package.sign`:
 * base64(issuer RFC 4514 string + ":" + serial as upper-case hex, left-padded to even length).
 * Example: base64("OU=Aos,O=EPAM,CN=Aos SP Issuing CA:62B17649000AD78B").
 */
export function aosKeyId(certificate: X509Certificate): string {
  const { issuer, serial } = parseCertificateNames(certificate);
  return Buffer.from(`${formatRfc4514(issuer)}:${formatSerial(serial)}`, 'utf8').toString('base64');
}

/** Serial (DER INTEGER content) as Python's `'%X' % serial`, left-padded with "0" to even length. */
export function formatSerial(serial: Buffer): string {
  let hex = BigInt(`0x${serial.toString('hex') || '0'}`)
    .toString(16)
    .toUpperCase();
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return hex;
}
