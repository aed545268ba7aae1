import { CERTIFICATE_AUTH_SCHEME, readCertificateAuthorization } from '@openaos/protocol';
import type { Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { ApiError } from '../errors.js';
import { authenticateCertificateToken } from '../domain/certificate-token.js';
import { resolveSession, SESSION_COOKIE } from '../domain/sessions.js';

export interface RequestFacts {
  /** `Authorization` header value, if any. */
  authorization?: string | null | undefined;
  /** `Cookie` header value, if any. */
  cookie?: string | null | undefined;
  method: string;
  /** URL path without the query, exactly as requested (what an AosCert token signs). */
  path: string;
  /** The client's network address as the server determined it (sign-in throttling counts by it). */
  clientAddress?: string | null | undefined;
}

/**
 * Who makes this request: a CLI with an `Authorization: AosCert <jws>` header, or the console
 * with its session cookie; null when neither is present. A present but bad AosCert token
 * throws `unauthenticated` with the reason, so the CLI can say what to fix.
 */
export async function authenticateRequest(
  deps: Pick<CloudDependencies, 'db' | 'authority' | 'now'>,
  request: RequestFacts,
): Promise<{ actor: Actor | null; sessionToken: string | null }> {
  const token = readCertificateAuthorization(request.authorization);
  if (token === undefined) {
    throw new ApiError(
      'unauthenticated',
      `reading the Authorization header: expected "${CERTIFICATE_AUTH_SCHEME} <token>"`,
    );
  }
  if (token !== null) return { actor: await authenticateCertificateToken(deps, token, request), sessionToken: null };
  const sessionToken = readCookie(request.cookie, SESSION_COOKIE);
  if (!sessionToken) return { actor: null, sessionToken: null };
  return { actor: await resolveSession(deps.db, sessionToken, deps.now()), sessionToken };
}

export function readCookie(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) return decodeURIComponent(part.slice(index + 1).trim());
  }
  return null;
}

/** The Set-Cookie value for a session (token null clears it). */
export function formatSessionCookie(
  token: string | null,
  options: { expiresAt?: Date; secure?: boolean } = {},
): string {
  const parts = [`${SESSION_COOKIE}=${token ? encodeURIComponent(token) : ''}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (token && options.expiresAt) parts.push(`Expires=${options.expiresAt.toUTCString()}`);
  if (!token) parts.push('Max-Age=0');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
