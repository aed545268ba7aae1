import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { CloudDependencies } from '../../dependencies.js';
import { hashProvisioningToken } from './create-token.js';
import { UnitAccessError } from './unit-access-error.js';

export interface ProvisioningUnit {
  id: string;
  systemId: string;
  organisationId: string;
}

/**
 * Use a provisioning token for the unit `systemId`, once: the token must exist (else 401), be for
 * that unit (403), unexpired (410) and unused (409). It is consumed by one conditional UPDATE
 * (`used_at IS NULL AND expires_at > now()`), so of two concurrent uses exactly one wins and the
 * other gets 409. Throws UnitAccessError; returns the unit.
 */
export async function consumeProvisioningToken(
  deps: Pick<CloudDependencies, 'db'>,
  token: string,
  systemId: string,
): Promise<ProvisioningUnit> {
  const tokenHash = hashProvisioningToken(token);
  const [row] = await deps.db
    .select({
      unitId: schema.provisioningTokens.unitId,
      usedAt: schema.provisioningTokens.usedAt,
      isExpired: sql<boolean>`${schema.provisioningTokens.expiresAt} <= now()`,
      systemId: schema.units.systemId,
      organisationId: schema.units.organisationId,
    })
    .from(schema.provisioningTokens)
    .innerJoin(schema.units, eq(schema.provisioningTokens.unitId, schema.units.id))
    .where(eq(schema.provisioningTokens.tokenHash, tokenHash));
  if (!row) {
    throw new UnitAccessError(
      'unknown-token',
      'provisioning: the token is unknown (mistyped, or replaced by a newer one); ask the cloud for a new provisioning token',
    );
  }
  if (row.systemId !== systemId) {
    throw new UnitAccessError(
      'token-for-another-unit',
      `provisioning unit ${systemId}: the token was made for another unit; ask for a token for ${systemId}`,
    );
  }
  const used = () =>
    new UnitAccessError(
      'token-used',
      `provisioning unit ${systemId}: the token was already used; ask the cloud for a new provisioning token`,
    );
  const expired = () =>
    new UnitAccessError(
      'token-expired',
      `provisioning unit ${systemId}: the token has expired; ask the cloud for a new provisioning token`,
    );
  if (row.usedAt) throw used();
  if (row.isExpired) throw expired();
  const consumed = await deps.db
    .update(schema.provisioningTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(schema.provisioningTokens.tokenHash, tokenHash),
        isNull(schema.provisioningTokens.usedAt),
        gt(schema.provisioningTokens.expiresAt, sql`now()`),
      ),
    )
    .returning({ unitId: schema.provisioningTokens.unitId });
  if (consumed.length === 0) {
    // Lost a race: another use consumed it a moment ago (or it expired in between).
    const [again] = await deps.db
      .select({ usedAt: schema.provisioningTokens.usedAt })
      .from(schema.provisioningTokens)
      .where(eq(schema.provisioningTokens.tokenHash, tokenHash));
    throw again?.usedAt ? used() : expired();
  }
  return { id: row.unitId, systemId: row.systemId, organisationId: row.organisationId };
}
