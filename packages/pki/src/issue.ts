import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import {
  buildCertificate,
  generateRsaKeyPair,
  type CertificateProfile,
  type SubjectFields,
} from './build-certificate.js';
import { forgeCertificateFromPem, forgePrivateKeyFromPem } from './forge-convert.js';
import { writePkcs12 } from './pkcs12.js';
import { describeSubject } from './subject.js';
import type { CertificateAuthority, IssuedCredential, UserRole } from './types.js';

/** The subject OU written for each role; the cloud reads the role back from it. */
export const ROLE_LABELS: Record<UserRole, string> = { sp: 'Service Provider', oem: 'OEM', admin: 'Admin' };

/** The subject OU written into unit certificates. */
export const UNIT_ORGANIZATIONAL_UNIT = 'Unit';

/**
 * The subject OU of the cloud's desired-status signer. A unit accepts a desired status only from
 * a certificate with this OU issued under its trusted CA, so a user or unit certificate from the
 * same CA cannot sign one.
 */
export const DESIRED_STATUS_SIGNER_ORGANIZATIONAL_UNIT = 'Desired Status Signer';

/** The OU label of a role ("Service Provider", "OEM", "Admin"). */
export function roleLabel(role: UserRole): string {
  return ROLE_LABELS[role];
}

/** The role whose OU label this is, or undefined. */
export function roleFromLabel(label: string | undefined): UserRole | undefined {
  return (Object.keys(ROLE_LABELS) as UserRole[]).find((role) => ROLE_LABELS[role] === label);
}

export interface IssueUserCredentialOptions {
  commonName: string;
  /** The organization; for the cloud this is its domain (aos-keys reads the cloud domain from O). */
  organization: string;
  role: UserRole;
  /** Default 365. */
  validDays?: number;
}

/**
 * Issue a user credential (`aos-user-sp.p12` and friends): subject CN=<commonName>,
 * O=<organization>, OU=<role label>; the PKCS#12 holds key, certificate and the CA chain.
 */
export function issueUserCredential(ca: CertificateAuthority, options: IssueUserCredentialOptions): IssuedCredential {
  return issueLeaf(ca, {
    subject: {
      commonName: options.commonName,
      organization: options.organization,
      organizationalUnit: roleLabel(options.role),
    },
    profile: 'client',
    validDays: options.validDays ?? 365,
  });
}

export interface IssueUnitCertificateOptions {
  systemId: string;
  /** Default: the issuing CA's organization. */
  organization?: string;
  /** Default 365. */
  validDays?: number;
}

/** Issue a unit (device) certificate: CN=<systemId>, OU=Unit, usable for mTLS client and server. */
export function issueUnitCertificate(ca: CertificateAuthority, options: IssueUnitCertificateOptions): IssuedCredential {
  const organization = options.organization ?? describeSubject(new X509Certificate(ca.certificatePem)).organization;
  return issueLeaf(ca, {
    subject: {
      commonName: options.systemId,
      ...(organization !== undefined && { organization }),
      organizationalUnit: UNIT_ORGANIZATIONAL_UNIT,
    },
    profile: 'unit',
    validDays: options.validDays ?? 365,
  });
}

export interface IssueDesiredStatusSignerOptions {
  /** Default "OpenAos desired-status signer". */
  commonName?: string;
  /** Default: the issuing CA's organization. */
  organization?: string;
  /** Default 365. */
  validDays?: number;
}

/**
 * Issue the cloud's desired-status signer: OU=Desired Status Signer, keyUsage digitalSignature
 * only (no TLS, not a CA). Its key signs every unit's desired status; units check the OU with
 * {@link isDesiredStatusSigner} after the chain.
 */
export function issueDesiredStatusSigner(
  ca: CertificateAuthority,
  options: IssueDesiredStatusSignerOptions = {},
): IssuedCredential {
  const organization = options.organization ?? describeSubject(new X509Certificate(ca.certificatePem)).organization;
  return issueLeaf(ca, {
    subject: {
      commonName: options.commonName ?? 'OpenAos desired-status signer',
      ...(organization !== undefined && { organization }),
      organizationalUnit: DESIRED_STATUS_SIGNER_ORGANIZATIONAL_UNIT,
    },
    profile: 'signer',
    validDays: options.validDays ?? 365,
  });
}

/** Whether `certificate` was issued as a desired-status signer (OU and not a CA). Says nothing about trust. */
export function isDesiredStatusSigner(certificate: X509Certificate): boolean {
  return (
    !certificate.ca && describeSubject(certificate).organizationalUnit === DESIRED_STATUS_SIGNER_ORGANIZATIONAL_UNIT
  );
}

interface LeafRequest {
  subject: SubjectFields;
  profile: CertificateProfile;
  validDays: number;
  serialNumber?: string;
  notBefore?: Date;
}

/** Issue an end-entity certificate and bundle it. Exported for tests that need a fixed serial or date. */
export function issueLeaf(ca: CertificateAuthority, request: LeafRequest): IssuedCredential {
  const keys = generateRsaKeyPair();
  const certificate = buildCertificate({
    subject: request.subject,
    publicKey: keys.forgePublicKey,
    issuer: { certificate: forgeCertificateFromPem(ca.certificatePem, 'issuing CA certificate') },
    signingKey: forgePrivateKeyFromPem(ca.privateKeyPem, 'issuing CA key'),
    profile: request.profile,
    validDays: request.validDays,
    ...(request.serialNumber !== undefined && { serialNumber: request.serialNumber }),
    ...(request.notBefore !== undefined && { notBefore: request.notBefore }),
  });
  const certificatePem = forge.pki.certificateToPem(certificate);
  const privateKeyPem = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const chainPem = [ca.certificatePem, ...(ca.chainPem ?? [])];
  const x509 = new X509Certificate(certificatePem);
  return {
    pkcs12: writePkcs12(privateKeyPem, [certificatePem, ...chainPem], '', { friendlyName: request.subject.commonName }),
    certificatePem,
    privateKeyPem,
    chainPem,
    serialNumber: x509.serialNumber.toUpperCase(),
    fingerprint256: x509.fingerprint256,
  };
}
