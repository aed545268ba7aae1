import { sign, verify, X509Certificate } from 'node:crypto';
import { PkiError } from './errors.js';
import { aosKeyId } from './key-id.js';
import type { Credential } from './types.js';

/** The parts of a compact JWS, decoded but NOT verified. */
export interface DecodedJws {
  header: Record<string, unknown>;
  payload: unknown;
  /** `<base64url header>.<base64url payload>`: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Sign `payload` as a compact JWS with RS256, as aos-signer writes `package.sign`:
 * header `{"alg":"RS256","kid":<aosKeyId>,"typ":"JWT"}` plus `x5c` (leaf then chain, base64 DER)
 * unless `includeChain` is false.
 */
export function signJws(payload: object, credential: Credential, options: { includeChain?: boolean } = {}): string {
  if (credential.privateKey.asymmetricKeyType !== 'rsa') {
    throw new PkiError(
      'unsupported-algorithm',
      `signing: RS256 needs an RSA key, the credential holds a ${credential.privateKey.asymmetricKeyType ?? 'unknown'} key (issue an RSA credential)`,
    );
  }
  const header: Record<string, unknown> = { alg: 'RS256', kid: aosKeyId(credential.certificate), typ: 'JWT' };
  if (options.includeChain ?? true) {
    header.x5c = [credential.certificate, ...credential.chain].map((certificate) => certificate.raw.toString('base64'));
  }
  const signingInput = `${encodeJson(header)}.${encodeJson(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), credential.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Split and decode a compact JWS without checking its signature. Throws PkiError('bad-token'). */
export function decodeJws(token: string): DecodedJws {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw new PkiError(
      'bad-token',
      'decoding JWS: expected three base64url parts separated by "." (is this a package.sign file?)',
    );
  }
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = decodeJson(headerPart, 'header');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new PkiError('bad-token', 'decoding JWS: the header is not a JSON object');
  }
  return {
    header: header as Record<string, unknown>,
    payload: decodeJson(payloadPart, 'payload'),
    signingInput: `${headerPart}.${payloadPart}`,
    signature: Buffer.from(signaturePart, 'base64url'),
  };
}

/**
 * Verify an RS256 compact JWS with the public key of `certificate` and return its payload.
 * Any other `alg` (`none`, HS256 …) is refused, so a token cannot choose a weaker check.
 * This checks the signature only: whether the certificate is trusted is
 * {@link verifyCertificateChain}'s job.
 */
export function verifyJws(token: string, certificate: X509Certificate): unknown {
  const decoded = decodeJws(token);
  if (decoded.header.alg !== 'RS256') {
    throw new PkiError(
      'unsupported-algorithm',
      `verifying JWS: algorithm ${JSON.stringify(decoded.header.alg)} is not accepted, only RS256`,
    );
  }
  if (certificate.publicKey.asymmetricKeyType !== 'rsa') {
    throw new PkiError('unsupported-algorithm', 'verifying JWS: RS256 needs a certificate with an RSA key');
  }
  let isValid: boolean;
  try {
    isValid = verify('sha256', Buffer.from(decoded.signingInput), certificate.publicKey, decoded.signature);
  } catch (error) {
    throw new PkiError('bad-signature', `verifying JWS: ${(error as Error).message}`, { cause: error });
  }
  if (!isValid) {
    throw new PkiError(
      'bad-signature',
      `verifying JWS: the signature does not match the certificate "${certificate.subject.replaceAll('\n', ', ')}" (the token was altered or signed with another key)`,
    );
  }
  return decoded.payload;
}

/** The certificates of a JWS header's `x5c` (leaf first). Empty when absent. */
export function readX5c(header: Record<string, unknown>): X509Certificate[] {
  const x5c = header.x5c;
  if (x5c === undefined) return [];
  if (!Array.isArray(x5c) || !x5c.every((entry) => typeof entry === 'string')) {
    throw new PkiError('bad-token', 'decoding JWS: x5c must be an array of base64 DER certificates');
  }
  return x5c.map((entry, index) => {
    try {
      return new X509Certificate(Buffer.from(entry, 'base64'));
    } catch (error) {
      throw new PkiError(
        'bad-token',
        `decoding JWS: x5c[${index}] is not a certificate (${(error as Error).message})`,
        { cause: error },
      );
    }
  });
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeJson(part: string, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch (error) {
    throw new PkiError('bad-token', `decoding JWS: the ${what} is not base64url JSON`, { cause: error });
  }
}
