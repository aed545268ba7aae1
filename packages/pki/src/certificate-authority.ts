import { buildCertificate, generateRsaKeyPair } from './build-certificate.js';
import { forgeCertificateFromPem, forgePrivateKeyFromPem } from './forge-convert.js';
import type { CertificateAuthority } from './types.js';
import forge from 'node-forge';

export interface CreateCertificateAuthorityOptions {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  /** Default 3650 for a root, 1825 for an intermediate. */
  validDays?: number;
  /** Issue an intermediate CA signed by this CA; absent for a self-signed root. */
  issuer?: CertificateAuthority;
}

/**
 * Create a root CA (self-signed) or, with `issuer`, an intermediate CA.
 * Subject names are written CN, O, OU in DER order, as the real Aos CAs are, so that
 * `aosKeyId` of what they issue reads "OU=…,O=…,CN=…:<serial>".
 */
export function createCertificateAuthority(options: CreateCertificateAuthorityOptions): CertificateAuthority {
  const keys = generateRsaKeyPair();
  const issuer = options.issuer;
  const subject = {
    commonName: options.commonName,
    ...(options.organization !== undefined && { organization: options.organization }),
    ...(options.organizationalUnit !== undefined && { organizationalUnit: options.organizationalUnit }),
  };
  const certificate = buildCertificate({
    subject,
    publicKey: keys.forgePublicKey,
    ...(issuer && {
      issuer: { certificate: forgeCertificateFromPem(issuer.certificatePem, 'issuing CA certificate') },
    }),
    signingKey: issuer ? forgePrivateKeyFromPem(issuer.privateKeyPem, 'issuing CA key') : keys.forgePrivateKey,
    profile: 'ca',
    validDays: options.validDays ?? (issuer ? 1825 : 3650),
  });
  return {
    certificatePem: forge.pki.certificateToPem(certificate),
    privateKeyPem: keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    chainPem: issuer ? [issuer.certificatePem, ...(issuer.chainPem ?? [])] : [],
  };
}
