import type { X509Certificate } from 'node:crypto';
import { findAttribute, parseCertificateNames } from './distinguished-name.js';

/** The subject fields the cloud uses to identify a user or unit. */
export interface SubjectSummary {
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
}

/** CN, O and OU of a certificate's subject (first value of each), read from the DER. */
export function describeSubject(certificate: X509Certificate): SubjectSummary {
  const { subject } = parseCertificateNames(certificate);
  const commonName = findAttribute(subject, '2.5.4.3');
  const organization = findAttribute(subject, '2.5.4.10');
  const organizationalUnit = findAttribute(subject, '2.5.4.11');
  return {
    ...(commonName !== undefined && { commonName }),
    ...(organization !== undefined && { organization }),
    ...(organizationalUnit !== undefined && { organizationalUnit }),
  };
}

/** SHA-256 fingerprint of the DER certificate, "AB:CD:…" (as `openssl x509 -fingerprint -sha256`). */
export function certificateFingerprint(certificate: X509Certificate): string {
  return certificate.fingerprint256;
}
