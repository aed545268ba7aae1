import type { X509Certificate } from 'node:crypto';
import {
  aosKeyId,
  decodeJws,
  describeSubject,
  PkiError,
  readX5c,
  verifyCertificateChain,
  verifyJws,
} from '@openaos/pki';
import { PackageError } from './package-error.js';
import type { PackageSigner, PackageTrust } from './types.js';

/**
 * Find who signed package.sign and check the signature.
 *
 * - With an `x5c` header (OpenAos packages): the leaf signs; it must chain to trust.roots
 *   (unless requireTrust is false), and the `kid`, when present, must be the leaf's.
 * - Without (packages made by aos-signer, which only writes a `kid`): the signer is the
 *   certificate of trust.certificates whose aos kid matches; failing that, any of them whose
 *   key verifies the signature (kid formats of other tools may differ in details).
 *
 * Returns the signer and the (verified) payload.
 */
export function findSigner(
  token: string,
  trust: PackageTrust,
  requireTrust: boolean,
  at: Date = new Date(),
): { signer: PackageSigner; payload: unknown } {
  let header: Record<string, unknown>;
  let chain: X509Certificate[];
  try {
    header = decodeJws(token).header;
    chain = readX5c(header);
  } catch (error) {
    throw new PackageError('bad-signature', `reading package.sign: ${(error as Error).message}`, {
      entry: 'package.sign',
      cause: error,
    });
  }
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const [leaf, ...intermediates] = chain;
  if (leaf !== undefined) {
    if (kid !== undefined && kid !== aosKeyId(leaf)) {
      throw new PackageError(
        'bad-signature',
        'verifying package.sign: its kid does not name the certificate in its x5c header; the signature was assembled by hand or altered',
        {
          entry: 'package.sign',
        },
      );
    }
    const payload = verifyWith(token, leaf);
    const isDirectlyTrusted = (trust.certificates ?? []).some((certificate) => certificate.raw.equals(leaf.raw));
    if (requireTrust && !isDirectlyTrusted) {
      try {
        verifyCertificateChain(leaf, intermediates, trust.roots ?? [], at);
      } catch (error) {
        throw untrusted(leaf, error);
      }
    } else if (isDirectlyTrusted) {
      checkValidity(leaf, at);
    }
    return { signer: describeSigner(leaf), payload };
  }

  const certificates = trust.certificates ?? [];
  const byKid = kid === undefined ? [] : certificates.filter((certificate) => aosKeyId(certificate) === kid);
  const candidates = byKid.length > 0 ? byKid : certificates;
  for (const certificate of candidates) {
    let payload: unknown;
    try {
      payload = verifyJws(token, certificate);
    } catch (error) {
      if (byKid.length > 0) throw toSignatureError(error);
      continue;
    }
    checkValidity(certificate, at);
    return { signer: describeSigner(certificate), payload };
  }
  const kidText = kid === undefined ? 'no kid' : `kid ${Buffer.from(kid, 'base64').toString('utf8')}`;
  throw new PackageError(
    'untrusted-signer',
    `verifying package.sign: it carries no certificate (x5c) and ${kidText}, which matches none of the ${certificates.length} trusted signer certificates; ` +
      "add the signer's certificate to the trusted certificates",
    { entry: 'package.sign' },
  );
}

function verifyWith(token: string, certificate: X509Certificate): unknown {
  try {
    return verifyJws(token, certificate);
  } catch (error) {
    throw toSignatureError(error);
  }
}

function toSignatureError(error: unknown): PackageError {
  return new PackageError('bad-signature', `verifying package.sign: ${(error as Error).message}`, {
    entry: 'package.sign',
    cause: error,
  });
}

function untrusted(certificate: X509Certificate, error: unknown): PackageError {
  const reason = error instanceof PkiError ? error.message : String(error);
  return new PackageError(
    'untrusted-signer',
    `verifying the signer of package.sign (${certificate.subject.replaceAll('\n', ', ')}): ${reason}`,
    {
      entry: 'package.sign',
      cause: error,
    },
  );
}

function checkValidity(certificate: X509Certificate, at: Date): void {
  if (at < new Date(certificate.validFrom) || at > new Date(certificate.validTo)) {
    throw new PackageError(
      'untrusted-signer',
      `verifying the signer of package.sign: certificate ${certificate.subject.replaceAll('\n', ', ')} is valid ${certificate.validFrom} to ${certificate.validTo}, not now; sign again with a current certificate`,
      { entry: 'package.sign' },
    );
  }
}

function describeSigner(certificate: X509Certificate): PackageSigner {
  return { certificate, keyId: aosKeyId(certificate), subject: describeSubject(certificate) };
}
