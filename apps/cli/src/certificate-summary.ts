import type { X509Certificate } from 'node:crypto';
import { aosKeyId, describeSubject } from '@openaos/pki';

/** What people and scripts need to know about a certificate, JSON-friendly. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  /** aos-signer key id (the JWS `kid`). */
  keyId: string;
  serialNumber: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

/** Node prints a DN as "CN=x\nO=y"; one line reads better. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

export function summarizeCertificate(certificate: X509Certificate): CertificateSummary {
  const names = describeSubject(certificate);
  return {
    subject: oneLine(certificate.subject),
    issuer: oneLine(certificate.issuer),
    ...(names.commonName !== undefined ? { commonName: names.commonName } : {}),
    ...(names.organization !== undefined ? { organization: names.organization } : {}),
    ...(names.organizationalUnit !== undefined ? { organizationalUnit: names.organizationalUnit } : {}),
    keyId: aosKeyId(certificate),
    serialNumber: certificate.serialNumber,
    validFrom: new Date(certificate.validFrom).toISOString(),
    validTo: new Date(certificate.validTo).toISOString(),
    fingerprint256: certificate.fingerprint256,
  };
}
