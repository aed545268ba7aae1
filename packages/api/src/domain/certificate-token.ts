import { X509Certificate } from 'node:crypto';
import { and, eq, isNull, lt } from 'drizzle-orm';
import { z } from 'zod';
import { schema } from '@openaos/db';
import { decodeJws, readX5c, signJws, verifyCertificateChain, verifyJws, type Credential } from '@openaos/pki';
import type { Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { ApiError } from '../errors.js';
import { randomNonce } from './credentials.js';
import { toActor } from './sessions.js';

/** The `Authorization` scheme of CLI requests: `Authorization: AosCert <compact JWS>`. */
export const CERTIFICATE_AUTH_SCHEME = 'AosCert';
/** A token lives at most this long (exp - iat). */
export const MAX_TOKEN_LIFETIME_SECONDS = 300;
/** Clock difference tolerated between the CLI's machine and the cloud. */
export const CLOCK_SKEW_SECONDS = 60;

const payloadSchema = z.object({
  iat: z.number().int(),
  exp: z.number().int(),
  method: z.string().min(1),
  path: z.string().startsWith('/'),
  nonce: z.string().min(16).max(128),
});

export type CertificateTokenPayload = z.infer<typeof payloadSchema>;

/**
 * Make the token a CLI sends with one request: RS256 JWS signed with the user's key, `x5c`
 * carrying the certificate chain, payload `{iat, exp, method, path, nonce}`.
 */
export function createCertificateToken(
  credential: Credential,
  request: { method: string; path: string },
  now = new Date(),
  lifetimeSeconds = 120,
): string {
  const iat = Math.floor(now.getTime() / 1000);
  return signJws(
    { iat, exp: iat + lifetimeSeconds, method: request.method.toUpperCase(), path: request.path, nonce: randomNonce() },
    credential,
    { includeChain: true },
  );
}

/**
 * Authenticate a CLI request from its `AosCert` token: the certificate in `x5c` chains to the
 * cloud's CA, the JWS verifies with it, the token is fresh and made for this method and path,
 * its nonce was not seen before, and the certificate was issued to an active user and not revoked.
 */
export async function authenticateCertificateToken(
  deps: Pick<CloudDependencies, 'db' | 'authority' | 'now'>,
  token: string,
  request: { method: string; path: string },
): Promise<Actor> {
  const now = deps.now();
  let leaf: X509Certificate;
  let payload: CertificateTokenPayload;
  try {
    const decoded = decodeJws(token);
    const certificates = readX5c(decoded.header);
    const [first, ...rest] = certificates;
    if (!first) throw new Error('the token header has no x5c certificate');
    leaf = first;
    verifyCertificateChain(leaf, rest, [deps.authority.certificate], now);
    const parsed = payloadSchema.safeParse(verifyJws(token, leaf));
    if (!parsed.success)
      throw new Error(
        `the payload must be {iat, exp, method, path, nonce}: ${parsed.error.issues.map((issue) => issue.path.join('.') + ' ' + issue.message).join('; ')}`,
      );
    payload = parsed.data;
  } catch (error) {
    throw new ApiError('unauthenticated', `checking the AosCert token: ${(error as Error).message}`, { cause: error });
  }
  const seconds = Math.floor(now.getTime() / 1000);
  if (payload.exp - payload.iat > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new ApiError(
      'unauthenticated',
      `checking the AosCert token: it lives ${payload.exp - payload.iat} s; at most ${MAX_TOKEN_LIFETIME_SECONDS} s are accepted`,
    );
  }
  if (payload.iat > seconds + CLOCK_SKEW_SECONDS || payload.exp < seconds - CLOCK_SKEW_SECONDS) {
    throw new ApiError(
      'unauthenticated',
      'checking the AosCert token: it has expired or is not valid yet; check the clock of this machine and retry',
    );
  }
  if (payload.method.toUpperCase() !== request.method.toUpperCase() || payload.path !== request.path) {
    throw new ApiError(
      'unauthenticated',
      `checking the AosCert token: it was made for ${payload.method} ${payload.path}, not ${request.method} ${request.path}`,
    );
  }
  const [row] = await deps.db
    .select({ user: schema.users, organisationName: schema.organisations.name })
    .from(schema.userCredentials)
    .innerJoin(schema.users, eq(schema.userCredentials.userId, schema.users.id))
    .leftJoin(schema.organisations, eq(schema.users.organisationId, schema.organisations.id))
    .where(
      and(eq(schema.userCredentials.fingerprint256, leaf.fingerprint256), isNull(schema.userCredentials.revokedAt)),
    );
  if (!row)
    throw new ApiError(
      'unauthenticated',
      'checking the AosCert token: this credential is unknown or revoked; download a new one from the console',
    );
  if (!row.user.isActive)
    throw new ApiError('unauthenticated', 'checking the AosCert token: the account of this credential is deactivated');
  await deps.db
    .delete(schema.authNonces)
    .where(lt(schema.authNonces.expiresAt, new Date(now.getTime() - CLOCK_SKEW_SECONDS * 1000)));
  const inserted = await deps.db
    .insert(schema.authNonces)
    .values({ nonce: payload.nonce, expiresAt: new Date(payload.exp * 1000) })
    .onConflictDoNothing()
    .returning();
  if (inserted.length === 0)
    throw new ApiError(
      'unauthenticated',
      'checking the AosCert token: this token was already used (replay); make a new token for each request',
    );
  return toActor(row, 'certificate');
}

/** Which user owns a certificate (active credential of an active user), or null. */
export async function findCertificateOwner(
  deps: Pick<CloudDependencies, 'db'>,
  certificate: X509Certificate,
): Promise<Actor | null> {
  const [row] = await deps.db
    .select({ user: schema.users, organisationName: schema.organisations.name })
    .from(schema.userCredentials)
    .innerJoin(schema.users, eq(schema.userCredentials.userId, schema.users.id))
    .leftJoin(schema.organisations, eq(schema.users.organisationId, schema.organisations.id))
    .where(
      and(
        eq(schema.userCredentials.fingerprint256, certificate.fingerprint256),
        isNull(schema.userCredentials.revokedAt),
      ),
    );
  if (!row || !row.user.isActive) return null;
  return toActor(row, 'certificate');
}
