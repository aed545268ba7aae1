import { randomBytes } from 'node:crypto';
import { signJws, type Credential } from '@openaos/pki';

/** Header scheme of certificate-authenticated requests (CONTRACTS.md "cloud HTTP API"). */
export const CERTIFICATE_AUTH_SCHEME = 'AosCert';

/**
 * The `Authorization` value for ONE request: a fresh RS256 JWS by the user's key with the
 * chain in x5c, bound to the method and the URL path (no query string), valid 120 s, with a
 * random nonce the cloud refuses to see twice. (The cloud's own `createCertificateToken`
 * does the same; the CLI must not load the cloud's runtime, so these lines are repeated.)
 */
export function createAuthorization(
  credential: Credential,
  request: { method: string; path: string },
  now = new Date(),
): string {
  const iat = Math.floor(now.getTime() / 1000);
  const payload = {
    iat,
    exp: iat + 120,
    method: request.method.toUpperCase(),
    path: request.path,
    nonce: randomBytes(16).toString('base64url'),
  };
  return `${CERTIFICATE_AUTH_SCHEME} ${signJws(payload, credential, { includeChain: true })}`;
}
