import { and, eq, isNull } from 'drizzle-orm';
import { schema } from '@openaos/db';
import { issueUserCredential } from '@openaos/pki';
import type { Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { ApiError } from '../errors.js';
import { notFound, toIso } from './util.js';

export interface IssuedUserCredential {
  /** `aos-user-sp.p12`, `aos-user-oem.p12` or `aos-user-admin.p12`, as aos-keys names them. */
  fileName: string;
  /** PKCS#12 with the empty password, base64. */
  pkcs12Base64: string;
  fingerprint256: string;
  serialNumber: string;
}

export interface CredentialView {
  fingerprint256: string;
  serialNumber: string;
  createdAt: string;
  revokedAt: string | null;
}

/**
 * Issue a new PKCS#12 credential from the cloud's CA for a user (yourself, or anyone for an
 * admin). The same file signs packages and authenticates the CLI. Only its certificate is
 * kept; the private key leaves with the response and is not stored.
 */
export async function issue(
  deps: CloudDependencies,
  actor: Actor,
  input: { userId?: string } = {},
): Promise<IssuedUserCredential> {
  const userId = input.userId ?? actor.userId;
  if (userId !== actor.userId && actor.role !== 'admin') {
    throw new ApiError('forbidden', 'issuing a credential: you may issue credentials only for yourself; ask an admin');
  }
  const [row] = await deps.db
    .select({ user: schema.users, organisationName: schema.organisations.name })
    .from(schema.users)
    .leftJoin(schema.organisations, eq(schema.users.organisationId, schema.organisations.id))
    .where(eq(schema.users.id, userId));
  if (!row) throw notFound('user', userId);
  if (!row.user.isActive)
    throw new ApiError('invalid-input', `issuing a credential for ${row.user.email}: the account is deactivated`);
  const issued = issueUserCredential(deps.authority.ca, {
    commonName: row.user.email,
    organization: row.organisationName ?? 'OpenAos',
    role: row.user.role,
    validDays: 365,
  });
  await deps.db.insert(schema.userCredentials).values({
    fingerprint256: issued.fingerprint256,
    userId,
    serialNumber: issued.serialNumber,
    certificatePem: issued.certificatePem,
  });
  return {
    fileName: `aos-user-${row.user.role}.p12`,
    pkcs12Base64: issued.pkcs12.toString('base64'),
    fingerprint256: issued.fingerprint256,
    serialNumber: issued.serialNumber,
  };
}

export async function list(
  deps: Pick<CloudDependencies, 'db'>,
  actor: Actor,
  input: { userId?: string } = {},
): Promise<CredentialView[]> {
  const userId = input.userId ?? actor.userId;
  if (userId !== actor.userId && actor.role !== 'admin')
    throw new ApiError('forbidden', 'listing credentials: you may list only your own');
  const rows = await deps.db.select().from(schema.userCredentials).where(eq(schema.userCredentials.userId, userId));
  return rows.map((row) => ({
    fingerprint256: row.fingerprint256,
    serialNumber: row.serialNumber,
    createdAt: toIso(row.createdAt),
    revokedAt: toIso(row.revokedAt),
  }));
}

/** Revoke a credential: it no longer authenticates, and packages signed with it are refused at upload. */
export async function revoke(
  deps: Pick<CloudDependencies, 'db' | 'now'>,
  actor: Actor,
  input: { fingerprint256: string },
): Promise<void> {
  const [row] = await deps.db
    .select()
    .from(schema.userCredentials)
    .where(eq(schema.userCredentials.fingerprint256, input.fingerprint256));
  if (!row || (row.userId !== actor.userId && actor.role !== 'admin'))
    throw notFound('credential', input.fingerprint256);
  await deps.db
    .update(schema.userCredentials)
    .set({ revokedAt: deps.now() })
    .where(
      and(eq(schema.userCredentials.fingerprint256, input.fingerprint256), isNull(schema.userCredentials.revokedAt)),
    );
}
