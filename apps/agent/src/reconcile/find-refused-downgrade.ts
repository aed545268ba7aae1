import { compareSemVer, parseSemVer } from '@openaos/config/small-formats';
import type { ServiceVersion } from '../state.js';

/** Why a desired version is not run: it is older than the committed one and not marked as a rollback. */
export interface RefusedDowngrade {
  /** The committed version, which keeps running. */
  from: ServiceVersion;
  message: string;
}

/**
 * A downgrade the unit refuses (AosEdge rejects a version older than the active one, reference
 * §5.3): `wanted` is older (SemVer precedence) than `committed`, the version the service runs
 * and falls back to, and the desired status does not mark it `isRollback`. Versions that are
 * not SemVer are not compared (nothing is refused). Pure.
 */
export function findRefusedDowngrade(
  wanted: ServiceVersion,
  committed: ServiceVersion | undefined,
): RefusedDowngrade | undefined {
  if (!committed || wanted.isRollback || committed.manifestDigest === wanted.manifestDigest) return undefined;
  const [older, newer] = [parseSemVer(wanted.version), parseSemVer(committed.version)];
  if (!older || !newer || compareSemVer(older, newer) >= 0) return undefined;
  return {
    from: committed,
    message: `downgrade from ${committed.version} to ${wanted.version} refused: the desired status does not mark it as a rollback; set isRollback: true on the service to roll back`,
  };
}
