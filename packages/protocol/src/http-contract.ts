/**
 * The cloud's HTTP contract with its clients (the `aos` CLI now, the unit agent later): the paths
 * they call, the `AosCert` authorization scheme, and the request token — its payload schema, its
 * lifetime and how it is made. The cloud (`@openaos/api`) verifies tokens against this same
 * schema; it keeps the verification because that needs its database (credentials, nonces).
 *
 * A token proves one HTTP request: a compact RS256 JWS signed with the caller's private key,
 * header `x5c` carrying the certificate chain, payload `{iat, exp, method, path, nonce}` bound to
 * the request's method and URL path (no query string) and used once (the nonce).
 */
import { randomBytes } from 'node:crypto';
import { signJws, type Credential } from '@openaos/pki';
import { z } from 'zod';

/** Paths of the cloud's HTTP API, relative to the cloud's base URL. */
export const CLOUD_HTTP_PATHS = {
  /** aos-signer 1.x's upload endpoint: `POST`, multipart fields `service`, `version`, `file`. */
  upload: '/api/v1/services/versions/',
  /** The tRPC endpoint: one procedure per request at `<trpc>/<procedure>` (what a token signs). */
  trpc: '/api/trpc',
  /** A unit's provisioning WebSocket: `?systemId=<id>`, `Authorization: Bearer <provisioning token>` (docs/unit-channel.md). */
  unitProvisioning: '/ws/v7/provisioning',
  /** A provisioned unit's channel WebSocket: `Authorization: AosCert <token>` made with the unit's key. */
  unitChannel: '/ws/v7/',
  /** A blob a unit downloads: `<unitBlobs><hex>` (sha256), `Authorization: AosCert <token>` per request, `Range` honoured. */
  unitBlobs: '/api/v7/blobs/sha256/',
  /** Logs for people (docs/logs.md): `GET`, a range as NDJSON, or `follow=1` as server-sent events. */
  logs: '/api/logs',
} as const;

/** The download URL path of a sha256 blob for units (`sha256:<hex>` or bare hex). */
export function unitBlobPath(digest: string): string {
  const hex = digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest;
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`unit blob path: ${JSON.stringify(digest)} is not a sha256 digest`);
  return `${CLOUD_HTTP_PATHS.unitBlobs}${hex}`;
}

/**
 * A refused unit upgrade or blob request is answered as HTTP (before any upgrade) with this JSON
 * body. The agent stops reconnecting on 401/403/409/410 (retrying cannot heal them) and backs off
 * on anything else.
 */
export interface UnitRefusal {
  code: string;
  message: string;
}

/** Statuses of a refusal that retrying cannot heal (the agent stops and says why). */
export const PERMANENT_REFUSAL_STATUSES: readonly number[] = [401, 403, 409, 410];

/** True for the upload path, with or without its trailing slash (aos-signer sends it with). */
export function isUploadPath(path: string): boolean {
  return path === CLOUD_HTTP_PATHS.upload || path === CLOUD_HTTP_PATHS.upload.slice(0, -1);
}

/** The `Authorization` scheme of certificate-authenticated requests: `Authorization: AosCert <compact JWS>`. */
export const CERTIFICATE_AUTH_SCHEME = 'AosCert';
/** How long a token made by {@link createCertificateToken} lives (exp − iat). */
export const CERTIFICATE_TOKEN_LIFETIME_SECONDS = 120;
/** The longest lifetime (exp − iat) the cloud accepts. */
export const MAX_CERTIFICATE_TOKEN_LIFETIME_SECONDS = 300;
/** Clock difference tolerated between the client's machine and the cloud. */
export const CERTIFICATE_TOKEN_CLOCK_SKEW_SECONDS = 60;

/** The token's payload: seconds since the epoch, the request it was made for, a single-use nonce. */
export const certificateTokenPayloadSchema = z.object({
  iat: z.number().int(),
  exp: z.number().int(),
  /** HTTP method, upper-case. */
  method: z.string().min(1),
  /** URL path exactly as requested, without the query string. */
  path: z.string().startsWith('/'),
  nonce: z.string().min(16).max(128),
});

export type CertificateTokenPayload = z.infer<typeof certificateTokenPayloadSchema>;

/**
 * Make the token for ONE request with a credential that carries its chain (a user's PKCS#12,
 * later a unit's certificate): RS256 JWS with `x5c`, valid {@link CERTIFICATE_TOKEN_LIFETIME_SECONDS}
 * from `now`, bound to the method and path, with 16 random bytes as nonce. Send it as
 * {@link formatCertificateAuthorization}'s value.
 */
export function createCertificateToken(
  credential: Credential,
  request: { method: string; path: string },
  now = new Date(),
): string {
  const iat = Math.floor(now.getTime() / 1000);
  const payload: CertificateTokenPayload = {
    iat,
    exp: iat + CERTIFICATE_TOKEN_LIFETIME_SECONDS,
    method: request.method.toUpperCase(),
    path: request.path,
    nonce: randomBytes(16).toString('base64url'),
  };
  return signJws(payload, credential, { includeChain: true });
}

/** The `Authorization` header value carrying a token. */
export function formatCertificateAuthorization(token: string): string {
  return `${CERTIFICATE_AUTH_SCHEME} ${token}`;
}

/**
 * The token of an `Authorization` header value, `null` when the header is absent or empty, and
 * `undefined` when it is present but not `AosCert <token>` (the caller says what is wrong).
 */
export function readCertificateAuthorization(header: string | null | undefined): string | null | undefined {
  const value = header?.trim();
  if (!value) return null;
  const [scheme, token] = value.split(/\s+/, 2);
  return scheme === CERTIFICATE_AUTH_SCHEME && token ? token : undefined;
}
