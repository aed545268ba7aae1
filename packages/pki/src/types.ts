import type { KeyObject, X509Certificate } from 'node:crypto';

/** A loaded signing/authentication credential: private key, its certificate and the chain above it. */
export interface Credential {
  privateKey: KeyObject;
  /** The end-entity certificate matching `privateKey`. */
  certificate: X509Certificate;
  /** Certificates above the leaf (issuing CA first), the leaf excluded. May be empty. */
  chain: X509Certificate[];
}

/** A CA that can issue certificates, as PEM so it can be stored in a database or a file. */
export interface CertificateAuthority {
  certificatePem: string;
  privateKeyPem: string;
  /** Certificates above this CA (its issuer first), empty or absent for a root. */
  chainPem?: string[];
}

/** Roles of cloud users; each maps to a subject OU (see {@link roleLabel}). */
export type UserRole = 'sp' | 'oem' | 'admin';

/** What an issuing call returns: the PKCS#12 plus the same material as PEM. */
export interface IssuedCredential {
  /** PKCS#12 (key + certificate + chain) with the EMPTY password, as aos-signer reads it. */
  pkcs12: Buffer;
  certificatePem: string;
  privateKeyPem: string;
  /** Issuing CA first, up to (and including) the root. */
  chainPem: string[];
  /** Upper-case hex, even length. */
  serialNumber: string;
  /** SHA-256 of the DER certificate, upper-case hex with colons (as X509Certificate.fingerprint256). */
  fingerprint256: string;
}
