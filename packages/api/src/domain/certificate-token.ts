import { X509Certificate } from 'node:crypto';
import { and, eq, isNull, lt } from 'drizzle-orm';
import { schema } from '@openaos/db';
import { decodeJws, readX5c, verifyCertificateChain, verifyJws } from '@openaos/pki';
import {
  CERTIFICATE_TOKEN_CLOCK_SKEW_SECONDS,
  certificateTokenPayloadSchema,
  MAX_CERTIFICATE_TOKEN_LIFETIME_SECONDS,
  type CertificateTokenPayload,
} from '@openaos/protocol';
import type { Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { ApiError } from '../errors.js';
import { toActor } from './sessions.js';
import { inSlices } from './util.js';

/** A checked `AosCert` proof: its leaf certificate (chains to the cloud CA) and its payload. */
export interface CertificateProof {
  leaf: X509Certificate;
  payload: CertificateTokenPayload;
}

/**
 * Check an `AosCert` token without deciding who it is for: the certificate in `x5c` chains to the
 * cloud's CA, the JWS verifies with it, it is fresh, short-lived and made for this method and path.
 * Throws ApiError `unauthenticated` naming what is wrong. The nonce is not consumed here: the caller
 * does that ({@link consumeProofNonce}) once it has found the owner, so an unknown owner costs no row.
 */
export function verifyCertificateProof(
  deps: Pick<CloudDependencies, 'authority' | 'now'>,
  token: string,
  request: { method: string; path: string },
): CertificateProof {
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
    const parsed = certificateTokenPayloadSchema.safeParse(verifyJws(token, leaf));
    if (!parsed.success)
      throw new Error(
        `the payload must be {iat, exp, method, path, nonce}: ${parsed.error.issues.map((issue) => issue.path.join('.') + ' ' + issue.message).join('; ')}`,
      );
    payload = parsed.data;
  } catch (error) {
    throw new ApiError('unauthenticated', `checking the AosCert token: ${(error as Error).message}`, { cause: error });
  }
  const seconds = Math.floor(now.getTime() / 1000);
  if (payload.exp - payload.iat > MAX_CERTIFICATE_TOKEN_LIFETIME_SECONDS) {
    throw new ApiError(
      'unauthenticated',
      `checking the AosCert token: it lives ${payload.exp - payload.iat} s; at most ${MAX_CERTIFICATE_TOKEN_LIFETIME_SECONDS} s are accepted`,
    );
  }
  if (
    payload.iat > seconds + CERTIFICATE_TOKEN_CLOCK_SKEW_SECONDS ||
    payload.exp < seconds - CERTIFICATE_TOKEN_CLOCK_SKEW_SECONDS
  ) {
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
  return { leaf, payload };
}

/** Record a proof's nonce as used (old ones are pruned); throws `unauthenticated` on a replay. */
export async function consumeProofNonce(
  deps: Pick<CloudDependencies, 'db' | 'now'>,
  payload: CertificateTokenPayload,
): Promise<void> {
  const [isFresh] = await consumeProofNonces(deps, [payload]);
  if (!isFresh) throw replayError();
}

/**
 * {@link consumeProofNonce} for many proofs in two statements (the expired nonces pruned, the
 * new ones inserted in one multi-row insert): per proof, in order, whether its nonce was new. A
 * nonce already stored, or one an earlier proof of the same call carries, is not new (the first
 * of two proofs with one nonce wins, the second is a replay).
 */
export async function consumeProofNonces(
  deps: Pick<CloudDependencies, 'db' | 'now'>,
  payloads: readonly CertificateTokenPayload[],
): Promise<boolean[]> {
  if (payloads.length === 0) return [];
  const now = deps.now();
  await deps.db
    .delete(schema.authNonces)
    .where(lt(schema.authNonces.expiresAt, new Date(now.getTime() - CERTIFICATE_TOKEN_CLOCK_SKEW_SECONDS * 1000)));
  const firstIndexOf = new Map<string, number>();
  payloads.forEach((payload, index) => {
    if (!firstIndexOf.has(payload.nonce)) firstIndexOf.set(payload.nonce, index);
  });
  const inserted = new Set<string>();
  const distinct = [...firstIndexOf.keys()];
  for (const slice of inSlices(distinct, NONCES_PER_STATEMENT)) {
    const rows = await deps.db
      .insert(schema.authNonces)
      .values(
        slice.map((nonce) => {
          const payload = payloads[firstIndexOf.get(nonce) ?? 0];
          return { nonce, expiresAt: new Date((payload?.exp ?? 0) * 1000) };
        }),
      )
      .onConflictDoNothing()
      .returning({ nonce: schema.authNonces.nonce });
    for (const row of rows) inserted.add(row.nonce);
  }
  return payloads.map((payload, index) => inserted.has(payload.nonce) && firstIndexOf.get(payload.nonce) === index);
}

/** Nonces per insert statement (two parameters each; far under PostgreSQL's 65,535). */
const NONCES_PER_STATEMENT = 1000;

/** The error of a proof whose nonce was seen before. */
function replayError(): ApiError {
  return new ApiError(
    'unauthenticated',
    'checking the AosCert token: this token was already used (replay); make a new token for each request',
    { details: { reason: 'replay' } },
  );
}

/**
 * Authenticate a CLI request from its `AosCert` token: the proof checks
 * ({@link verifyCertificateProof}), the certificate was issued to an active user and not revoked,
 * and its nonce was not seen before.
 */
export async function authenticateCertificateToken(
  deps: Pick<CloudDependencies, 'db' | 'authority' | 'now'>,
  token: string,
  request: { method: string; path: string },
): Promise<Actor> {
  const { leaf, payload } = verifyCertificateProof(deps, token, request);
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
  await consumeProofNonce(deps, payload);
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
