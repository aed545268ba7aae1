import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { Actor } from '../../actor.js';
import type { CloudDependencies } from '../../dependencies.js';
import { ApiError } from '../../errors.js';
import { findOwnedByReference, requireOem } from '../units.js';

export const PROVISIONING_TOKEN_TTL = {
  /** One hour by default: long enough to walk to the device, short enough not to linger. */
  defaultSeconds: 3600,
  minSeconds: 60,
  maxSeconds: 7 * 24 * 3600,
} as const;

export interface ProvisioningTokenResult {
  unitId: string;
  systemId: string;
  /** The one-time token; the cloud keeps only its SHA-256 and never shows it again. */
  token: string;
  expiresAt: string;
  cloudUrl: string;
  /** The exact command to run on the device. */
  command: string;
}

/** Every provisioning token starts with this. */
export const PROVISIONING_TOKEN_PREFIX = 'aosprov_';

/** SHA-256 (hex) of a provisioning token: what the cloud stores and looks tokens up by. */
export function hashProvisioningToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * A one-time provisioning token for a unit of the caller's organisation (OEM users only), named
 * by unit ID or system ID. Any unused token of the unit is deleted: only the newest one works.
 * The cloud URL in the command is the configured public URL (OPENAOS_PUBLIC_URL) when there is
 * one, else the address the caller reached the cloud at (`cloudUrl`).
 */
export async function createProvisioningToken(
  deps: Pick<CloudDependencies, 'db' | 'now' | 'publicUrl'>,
  actor: Actor,
  input: { unit: string; ttlSeconds?: number | undefined; cloudUrl?: string | undefined },
): Promise<ProvisioningTokenResult> {
  const organisationId = requireOem(actor, 'creating a provisioning token');
  const ttlSeconds = input.ttlSeconds ?? PROVISIONING_TOKEN_TTL.defaultSeconds;
  if (
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < PROVISIONING_TOKEN_TTL.minSeconds ||
    ttlSeconds > PROVISIONING_TOKEN_TTL.maxSeconds
  ) {
    throw new ApiError(
      'invalid-input',
      `ttlSeconds: ${ttlSeconds} is out of range; give whole seconds from ${PROVISIONING_TOKEN_TTL.minSeconds} (1 minute) to ${PROVISIONING_TOKEN_TTL.maxSeconds} (7 days)`,
    );
  }
  const cloudUrl = normaliseCloudUrl(deps.publicUrl ?? input.cloudUrl);
  const unit = await findOwnedByReference(deps.db, organisationId, input.unit);
  // A fixed prefix: a bare base64url token starts with "-" one time in 64, and a command line then
  // reads it as an option (`--token -Pz…` is refused); the prefix also makes a leaked token
  // recognisable to secret scanners.
  const token = `${PROVISIONING_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(deps.now().getTime() + ttlSeconds * 1000);
  await deps.db.transaction(async (tx) => {
    await tx
      .delete(schema.provisioningTokens)
      .where(and(eq(schema.provisioningTokens.unitId, unit.id), isNull(schema.provisioningTokens.usedAt)));
    await tx
      .insert(schema.provisioningTokens)
      .values({ tokenHash: hashProvisioningToken(token), unitId: unit.id, createdBy: actor.userId, expiresAt });
  });
  return {
    unitId: unit.id,
    systemId: unit.systemId,
    token,
    expiresAt: expiresAt.toISOString(),
    cloudUrl,
    command: provisionCommand({ cloudUrl, token, systemId: unit.systemId }),
  };
}

/** `aos-agent provision --cloud <url> --token <token> --system-id <id>`, quoted for a POSIX shell where needed. */
export function provisionCommand(input: { cloudUrl: string; token: string; systemId: string }): string {
  return ['aos-agent', 'provision', '--cloud', input.cloudUrl, '--token', input.token, '--system-id', input.systemId]
    .map(shellQuote)
    .join(' ');
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9._:/@%+=,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

function normaliseCloudUrl(value: string | undefined): string {
  if (!value) {
    throw new ApiError(
      'invalid-input',
      'cloudUrl: the cloud does not know its public address; set OPENAOS_PUBLIC_URL on the cloud or pass cloudUrl (the address the unit reaches the cloud at)',
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ApiError('invalid-input', `cloudUrl: "${value}" is not a URL; give e.g. https://cloud.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiError(
      'invalid-input',
      `cloudUrl: "${value}" is not an http(s) URL; give e.g. https://cloud.example.com`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
