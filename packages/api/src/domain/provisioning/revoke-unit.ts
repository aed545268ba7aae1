import { and, eq, isNull } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { Actor } from '../../actor.js';
import type { CloudDependencies } from '../../dependencies.js';
import { findOwnedByReference, readUnitView, requireOem, type UnitView } from '../units.js';

/**
 * Revoke a unit of the caller's organisation (OEM users only): from now on the cloud refuses its
 * certificate at the upgrade, and the process holding its socket closes it (the `revoked`
 * announcement). Its unused provisioning tokens are deleted. The certificate fingerprint stays
 * for audit; a revoked unit comes back only by being provisioned again with a new token.
 * Revoking a revoked unit changes nothing.
 */
export async function revokeUnit(
  deps: Pick<CloudDependencies, 'db' | 'now' | 'process' | 'unitEvents'>,
  actor: Actor,
  input: { unit: string },
): Promise<UnitView> {
  const organisationId = requireOem(actor, 'revoking a unit');
  const unit = await findOwnedByReference(deps.db, organisationId, input.unit);
  const at = deps.now();
  const revoked = await deps.db.transaction(async (tx) => {
    const rows = await tx
      .update(schema.units)
      .set({ revokedAt: at })
      .where(and(eq(schema.units.id, unit.id), isNull(schema.units.revokedAt)))
      .returning({ id: schema.units.id });
    if (rows.length === 0) return false;
    await tx
      .delete(schema.provisioningTokens)
      .where(and(eq(schema.provisioningTokens.unitId, unit.id), isNull(schema.provisioningTokens.usedAt)));
    await tx.insert(schema.unitStatusEvents).values({ unitId: unit.id, at, kind: 'unit', state: 'revoked' });
    return true;
  });
  if (revoked) {
    await deps.unitEvents.announce({ kind: 'revoked', unitIds: [unit.id] });
    await deps.unitEvents.announce({ kind: 'status-changed', unitIds: [unit.id] });
  }
  return readUnitView(deps, organisationId, unit.id);
}
