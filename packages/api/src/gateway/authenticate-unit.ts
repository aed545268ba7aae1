import { inArray } from 'drizzle-orm';
import { schema } from '@openaos/db';
import { describeSubject } from '@openaos/pki';
import { CERTIFICATE_AUTH_SCHEME, readCertificateAuthorization, type CertificateTokenPayload } from '@openaos/protocol';
import type { CloudDependencies } from '../dependencies.js';
import { consumeProofNonces, verifyCertificateProof } from '../domain/certificate-token.js';
import { UnitAccessError } from '../domain/provisioning/unit-access-error.js';
import { isApiError } from '../errors.js';

export interface AuthenticatedUnit {
  id: string;
  systemId: string;
  organisationId: string;
  /** The certificate the unit proved it holds (its current one, as units.certificateFingerprint). */
  fingerprint: string;
}

/** A unit's `AosCert` proof whose signatures, chain and clock window were checked; its owner not yet looked up. */
export interface VerifiedUnitProof {
  /** SHA-256 fingerprint of the proof's leaf certificate. */
  fingerprint: string;
  /** The leaf's CN: the systemId the certificate was issued for. */
  systemId: string;
  payload: CertificateTokenPayload;
}

type Deps = Pick<CloudDependencies, 'db' | 'authority' | 'now'>;

/**
 * Authenticate a unit's request from its `Authorization: AosCert <proof>` header: the proof's
 * chain leads to the cloud CA and is fresh and made for this method and path; its leaf is the
 * unit's current certificate (a self-signed or older certificate with a real systemId is not);
 * the unit exists, is provisioned and not revoked; the nonce is new. Throws UnitAccessError.
 * {@link verifyUnitProof} then a batch of one of {@link authenticateUnits}.
 */
export async function authenticateUnit(
  deps: Deps,
  authorization: string | undefined,
  request: { method: string; path: string },
): Promise<AuthenticatedUnit> {
  const [result] = await authenticateUnits(deps, [verifyUnitProof(deps, authorization, request)]);
  if (!result) throw new Error('authenticating the unit: no result');
  if (result instanceof UnitAccessError) throw result;
  return result;
}

/**
 * The checks of a unit's proof that need no database (CPU only): the header's form, the chain to
 * the cloud CA, the signature, the clock window, the method and path. Throws UnitAccessError.
 */
export function verifyUnitProof(
  deps: Pick<CloudDependencies, 'authority' | 'now'>,
  authorization: string | undefined,
  request: { method: string; path: string },
): VerifiedUnitProof {
  const token = readCertificateAuthorization(authorization);
  if (!token) {
    throw new UnitAccessError(
      'bad-proof',
      `authenticating the unit: send "Authorization: ${CERTIFICATE_AUTH_SCHEME} <proof>" made with the unit's key (aos-agent does)`,
    );
  }
  try {
    const { leaf, payload } = verifyCertificateProof(deps, token, request);
    return { fingerprint: leaf.fingerprint256, systemId: describeSubject(leaf).commonName ?? '(no CN)', payload };
  } catch (error) {
    throw toUnitAccessError(error);
  }
}

/**
 * The database checks of many verified proofs at once (docs/unit-channel.md "Batching"): the
 * units of every proof's certificate in one query; each must be the unit the certificate was
 * issued to (its current certificate), not revoked and provisioned; then the nonces of the
 * proofs that passed are consumed together (a nonce seen before, or twice in the batch, is refused
 * for all but its first use). Per proof, in order: the unit, or the UnitAccessError refusing it
 * (one refused proof does not refuse the others). Throws only when the database fails.
 */
export async function authenticateUnits(
  deps: Deps,
  proofs: readonly VerifiedUnitProof[],
): Promise<(AuthenticatedUnit | UnitAccessError)[]> {
  if (proofs.length === 0) return [];
  const fingerprints = [...new Set(proofs.map((proof) => proof.fingerprint))];
  const rows = await deps.db
    .select({
      id: schema.units.id,
      systemId: schema.units.systemId,
      organisationId: schema.units.organisationId,
      state: schema.units.state,
      revokedAt: schema.units.revokedAt,
      fingerprint: schema.units.certificateFingerprint,
    })
    .from(schema.units)
    .where(inArray(schema.units.certificateFingerprint, fingerprints));
  const unitOf = new Map(rows.map((row) => [row.fingerprint, row]));
  const results: (AuthenticatedUnit | UnitAccessError)[] = proofs.map((proof) => {
    const unit = unitOf.get(proof.fingerprint);
    if (!unit || unit.systemId !== proof.systemId) {
      return new UnitAccessError(
        'unknown-unit',
        `authenticating unit ${proof.systemId}: its certificate is not the one the cloud issued to it (deleted, re-provisioned or never provisioned); provision the unit again`,
      );
    }
    if (unit.revokedAt) {
      return new UnitAccessError(
        'unit-revoked',
        `authenticating unit ${unit.systemId}: the unit was revoked; ask its OEM to provision it again`,
      );
    }
    if (unit.state !== 'provisioned') {
      return new UnitAccessError(
        'unit-not-provisioned',
        `authenticating unit ${unit.systemId}: its provisioning did not finish; provision it again with a new token`,
      );
    }
    return {
      id: unit.id,
      systemId: unit.systemId,
      organisationId: unit.organisationId,
      fingerprint: proof.fingerprint,
    };
  });
  // Only proofs of a known, usable unit cost a nonce row.
  const accepted = results.flatMap((result, index) => (result instanceof UnitAccessError ? [] : [index]));
  const isFresh = await consumeProofNonces(
    deps,
    accepted.map((index) => (proofs[index] as VerifiedUnitProof).payload),
  );
  accepted.forEach((index, position) => {
    if (!isFresh[position]) {
      results[index] = new UnitAccessError(
        'replayed-proof',
        'authenticating the unit: this token was already used (replay); make a new token for each request',
      );
    }
  });
  return results;
}

function toUnitAccessError(error: unknown): unknown {
  if (isApiError(error) && error.code === 'unauthenticated') {
    const code = error.details?.reason === 'replay' ? 'replayed-proof' : 'bad-proof';
    return new UnitAccessError(code, error.message.replace('checking the AosCert token', 'authenticating the unit'));
  }
  return error;
}
