/**
 * Certificate signing requests (PKCS#10), as a unit uses them at provisioning: the unit makes its
 * own key pair and sends only a CSR; the cloud checks the CSR's self-signature and issues the
 * unit certificate with a subject it chooses itself (the CSR's subject is not trusted).
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import forge from 'node-forge';
import { buildCertificate, generateRsaKeyPair } from './build-certificate.js';
import { PkiError } from './errors.js';
import { forgeCertificateFromPem, forgePrivateKeyFromPem } from './forge-convert.js';
import { UNIT_ORGANIZATIONAL_UNIT } from './issue.js';
import { describeSubject } from './subject.js';
import type { CertificateAuthority } from './types.js';

/** The largest CSR accepted, in PEM characters (an RSA-4096 CSR is about 1.7 KB). */
const MAX_CSR_PEM_LENGTH = 16 * 1024;

export interface CertificateRequest {
  /** PKCS#8 PEM; stays with whoever made the request. */
  privateKeyPem: string;
  /** PKCS#10 PEM, signed with that key (SHA-256 with RSA). */
  csrPem: string;
}

/** Make an RSA-2048 key pair and a CSR for it with subject CN=<commonName>. */
export function createCertificateRequest(options: { commonName: string }): CertificateRequest {
  const keys = generateRsaKeyPair();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.forgePublicKey;
  csr.setSubject([{ shortName: 'CN', value: options.commonName }]);
  csr.sign(keys.forgePrivateKey, forge.md.sha256.create());
  return {
    privateKeyPem: keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    csrPem: forge.pki.certificationRequestToPem(csr),
  };
}

export interface ReadCertificateRequest {
  /** The requested public key, SPKI PEM. */
  publicKeyPem: string;
  /** CN of the request's subject, as the requester wrote it (informational, never trusted). */
  commonName: string | undefined;
}

/**
 * Parse a CSR and check its self-signature (proof that the requester holds the key).
 * Throws PkiError `bad-pem` (not a PKCS#10 RSA request) or `bad-signature`.
 */
export function readCertificateRequest(csrPem: string): ReadCertificateRequest {
  const csr = parseRequest(csrPem);
  let isValid = false;
  try {
    isValid = csr.verify();
  } catch {
    isValid = false;
  }
  if (!isValid) {
    throw new PkiError(
      'bad-signature',
      'reading the certificate request: its signature does not match its public key; make a new request with the same key that signs it',
    );
  }
  const publicKeyPem = forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey);
  const commonName = csr.subject.getField('CN') as { value?: unknown } | null;
  return {
    publicKeyPem: createPublicKey(publicKeyPem).export({ format: 'pem', type: 'spki' }).toString(),
    commonName: typeof commonName?.value === 'string' ? commonName.value : undefined,
  };
}

export interface IssueUnitCertificateFromRequestOptions {
  csrPem: string;
  /** Becomes the certificate's CN, whatever the CSR asked for. */
  systemId: string;
  /** Default: the issuing CA's organization. */
  organization?: string;
  /** Default 365. */
  validDays?: number;
}

export interface IssuedCertificate {
  certificatePem: string;
  /** Issuing CA first, up to (and including) the root. */
  chainPem: string[];
  /** Upper-case hex. */
  serialNumber: string;
  /** As X509Certificate.fingerprint256 (upper-case hex with colons). */
  fingerprint256: string;
}

/**
 * Issue a unit certificate (CN=<systemId>, OU=Unit, the `unit` profile) for the key of a CSR whose
 * signature checks. The private key never reaches the issuer.
 */
export function issueUnitCertificateFromRequest(
  ca: CertificateAuthority,
  options: IssueUnitCertificateFromRequestOptions,
): IssuedCertificate {
  readCertificateRequest(options.csrPem);
  const csr = parseRequest(options.csrPem);
  const organization = options.organization ?? describeSubject(new X509Certificate(ca.certificatePem)).organization;
  const certificate = buildCertificate({
    subject: {
      commonName: options.systemId,
      ...(organization !== undefined && { organization }),
      organizationalUnit: UNIT_ORGANIZATIONAL_UNIT,
    },
    publicKey: csr.publicKey as forge.pki.rsa.PublicKey,
    issuer: { certificate: forgeCertificateFromPem(ca.certificatePem, 'issuing CA certificate') },
    signingKey: forgePrivateKeyFromPem(ca.privateKeyPem, 'issuing CA key'),
    profile: 'unit',
    validDays: options.validDays ?? 365,
  });
  const certificatePem = forge.pki.certificateToPem(certificate);
  const x509 = new X509Certificate(certificatePem);
  return {
    certificatePem,
    chainPem: [ca.certificatePem, ...(ca.chainPem ?? [])],
    serialNumber: x509.serialNumber.toUpperCase(),
    fingerprint256: x509.fingerprint256,
  };
}

function parseRequest(csrPem: string): forge.pki.CertificateSigningRequest {
  if (csrPem.length > MAX_CSR_PEM_LENGTH) {
    throw new PkiError(
      'bad-pem',
      `reading the certificate request: ${csrPem.length} characters is more than the ${MAX_CSR_PEM_LENGTH} a CSR needs`,
    );
  }
  try {
    return forge.pki.certificationRequestFromPem(csrPem);
  } catch (error) {
    throw new PkiError(
      'bad-pem',
      `reading the certificate request: not an RSA PKCS#10 request in PEM form (${(error as Error).message})`,
      { cause: error },
    );
  }
}
