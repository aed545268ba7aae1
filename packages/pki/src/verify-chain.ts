import type { X509Certificate } from 'node:crypto';
import { PkiError } from './errors.js';

/** Longest path we follow; real Aos paths are leaf → issuing CA → root. */
const MAX_DEPTH = 8;

/**
 * Check that `leaf` chains to one of `roots` through `intermediates`: each link's issuer name and
 * signature, every certificate's validity period at `at`, and CA basicConstraints on every issuer.
 * Throws PkiError ('untrusted' | 'expired' | 'not-yet-valid') naming the certificate that failed.
 * Not checked: path length constraints, name constraints, key usage, revocation.
 */
export function verifyCertificateChain(
  leaf: X509Certificate,
  intermediates: X509Certificate[],
  roots: X509Certificate[],
  at: Date = new Date(),
): void {
  let current = leaf;
  const unused = [...intermediates];
  checkValidity(current, at);
  for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
    if (roots.some((root) => root.raw.equals(current.raw))) return; // the certificate itself is trusted
    const root = roots.find((candidate) => isIssuedBy(current, candidate));
    if (root) {
      checkIssuer(root, current, at);
      return;
    }
    const index = unused.findIndex((candidate) => isIssuedBy(current, candidate));
    const issuer = unused[index];
    if (!issuer) {
      throw new PkiError(
        'untrusted',
        `verifying certificate chain: ${describe(current)} is not issued by a trusted CA (issuer "${oneLine(current.issuer)}"; supply the intermediate certificates or trust its root)`,
      );
    }
    unused.splice(index, 1);
    checkIssuer(issuer, current, at);
    current = issuer;
  }
  throw new PkiError(
    'untrusted',
    `verifying certificate chain: no trusted root within ${MAX_DEPTH} certificates of ${describe(leaf)}`,
  );
}

/** Name and signature only, so that a wrong issuer profile gets its own message in checkIssuer. */
function isIssuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  return certificate.issuer === issuer.subject && certificate.verify(issuer.publicKey);
}

function checkIssuer(issuer: X509Certificate, issued: X509Certificate, at: Date): void {
  if (!issuer.ca) {
    throw new PkiError(
      'untrusted',
      `verifying certificate chain: ${describe(issuer)} signed ${describe(issued)} but is not a CA (basicConstraints CA:FALSE)`,
    );
  }
  // OpenSSL's issuer check: key identifiers match and the issuer's key usage allows certificate signing.
  if (!issued.checkIssued(issuer)) {
    throw new PkiError(
      'untrusted',
      `verifying certificate chain: ${describe(issuer)} may not issue ${describe(issued)} (key identifier or keyUsage keyCertSign mismatch)`,
    );
  }
  checkValidity(issuer, at);
}

function checkValidity(certificate: X509Certificate, at: Date): void {
  if (at.getTime() > new Date(certificate.validTo).getTime()) {
    throw new PkiError(
      'expired',
      `verifying certificate chain: ${describe(certificate)} expired on ${new Date(certificate.validTo).toISOString()} (renew it)`,
    );
  }
  if (at.getTime() < new Date(certificate.validFrom).getTime()) {
    throw new PkiError(
      'not-yet-valid',
      `verifying certificate chain: ${describe(certificate)} is not valid before ${new Date(certificate.validFrom).toISOString()} (check the clock)`,
    );
  }
}

function describe(certificate: X509Certificate): string {
  return `certificate "${oneLine(certificate.subject)}" (serial ${certificate.serialNumber})`;
}

function oneLine(name: string): string {
  return name.split('\n').join(', ');
}
