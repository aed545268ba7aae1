import { eq } from 'drizzle-orm';
import { schema } from '@openaos/db';
import { issueUnitCertificateFromRequest } from '@openaos/pki';
import type { CloudDependencies } from '../../dependencies.js';

/**
 * Issue the unit's certificate from its CSR with the cloud CA (CN = systemId, whatever the CSR
 * says) and make it the unit's only identity: its fingerprint and PEM replace any earlier one, so
 * a re-provisioned unit's old key no longer connects, and a revocation is lifted. Throws PkiError
 * when the CSR is not a valid self-signed request. Returns the chain (PEM leaf + CA) for the unit.
 */
export async function issueUnitCertificate(
  deps: Pick<CloudDependencies, 'db' | 'authority'>,
  unit: { id: string; systemId: string },
  csrPem: string,
): Promise<{ chainPem: string; fingerprint256: string }> {
  const issued = issueUnitCertificateFromRequest(deps.authority.ca, { csrPem, systemId: unit.systemId });
  await deps.db
    .update(schema.units)
    .set({
      certificateFingerprint: issued.fingerprint256,
      certificatePem: issued.certificatePem,
      revokedAt: null,
    })
    .where(eq(schema.units.id, unit.id));
  return {
    chainPem: [issued.certificatePem, ...issued.chainPem].map((pem) => pem.trim()).join('\n') + '\n',
    fingerprint256: issued.fingerprint256,
  };
}

/** The unit answered finishProvisioning: it holds its identity now. */
export async function markUnitProvisioned(deps: Pick<CloudDependencies, 'db'>, unitId: string): Promise<void> {
  await deps.db
    .update(schema.units)
    .set({ state: 'provisioned', provisionedAt: new Date() })
    .where(eq(schema.units.id, unitId));
}
