import { eq } from 'drizzle-orm';
import { schema } from '@openaos/db';
import { describeSubject } from '@openaos/pki';
import { CERTIFICATE_AUTH_SCHEME, readCertificateAuthorization } from '@openaos/protocol';
import type { CloudDependencies } from '../dependencies.js';
import { consumeProofNonce, verifyCertificateProof } from '../domain/certificate-token.js';
import { UnitAccessError } from '../domain/provisioning/unit-access-error.js';
import { isApiError } from '../errors.js';

export interface AuthenticatedUnit {
  id: string;
  systemId: string;
  organisationId: string;
  /** The certificate the unit proved it holds (its current one, as units.certificateFingerprint). */
  fingerprint: string;
}

/**
 * Authenticate a unit's request from its `Authorization: AosCert <proof>` header: the proof's
 * chain leads to the cloud CA and is fresh and made for this method and path; its leaf is the
 * unit's current certificate (a self-signed or older certificate with a real systemId is not);
 * the unit exists, is provisioned and not revoked; the nonce is new. Throws UnitAccessError.
 */
export async function authenticateUnit(
  deps: Pick<CloudDependencies, 'db' | 'authority' | 'now'>,
  authorization: string | undefined,
  request: { method: string; path: string },
): Promise<AuthenticatedUnit> {
  const token = readCertificateAuthorization(authorization);
  if (!token) {
    throw new UnitAccessError(
      'bad-proof',
      `authenticating the unit: send "Authorization: ${CERTIFICATE_AUTH_SCHEME} <proof>" made with the unit's key (aos-agent does)`,
    );
  }
  try {
    const { leaf, payload } = verifyCertificateProof(deps, token, request);
    const [unit] = await deps.db
      .select()
      .from(schema.units)
      .where(eq(schema.units.certificateFingerprint, leaf.fingerprint256));
    const systemId = describeSubject(leaf).commonName ?? '(no CN)';
    if (!unit || unit.systemId !== systemId) {
      throw new UnitAccessError(
        'unknown-unit',
        `authenticating unit ${systemId}: its certificate is not the one the cloud issued to it (deleted, re-provisioned or never provisioned); provision the unit again`,
      );
    }
    if (unit.revokedAt) {
      throw new UnitAccessError(
        'unit-revoked',
        `authenticating unit ${unit.systemId}: the unit was revoked; ask its OEM to provision it again`,
      );
    }
    if (unit.state !== 'provisioned') {
      throw new UnitAccessError(
        'unit-not-provisioned',
        `authenticating unit ${unit.systemId}: its provisioning did not finish; provision it again with a new token`,
      );
    }
    await consumeProofNonce(deps, payload);
    return {
      id: unit.id,
      systemId: unit.systemId,
      organisationId: unit.organisationId,
      fingerprint: leaf.fingerprint256,
    };
  } catch (error) {
    if (isApiError(error) && error.code === 'unauthenticated') {
      const code = error.details?.reason === 'replay' ? 'replayed-proof' : 'bad-proof';
      throw new UnitAccessError(code, error.message.replace('checking the AosCert token', 'authenticating the unit'));
    }
    throw error;
  }
}
