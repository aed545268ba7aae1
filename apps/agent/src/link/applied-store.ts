import type { AppliedDesiredStatus } from '@openaos/protocol/v7';
import { readJsonFile, writeFileAtomic } from '../persist/atomic-write.js';
import type { ResolvedImage } from './map-desired-status.js';

/**
 * What the link last applied (agent/cloud-applied.json): the generation and digest of the last
 * desired status handed to `acceptTarget`, checked against every new one (no replay), and the
 * images already resolved (index digest → manifest), so a resent status needs no download.
 * Written after `acceptTarget` has persisted the target.
 */
export interface AppliedState {
  applied?: AppliedDesiredStatus;
  /**
   * The unit certificate (SHA-256 fingerprint) it was applied under. A unit provisioned again is a
   * new relationship with the cloud (a unit deleted and registered again starts at generation 1),
   * so `applied` counts only under the same certificate.
   */
  identity?: string;
  images: Record<string, ResolvedImage>;
}

/** The state as saved; `applied` is dropped when it was saved under another certificate than `identity`. */
export async function readAppliedState(path: string, identity: string): Promise<AppliedState> {
  const state = await readJsonFile<Partial<AppliedState>>(path);
  const isSameIdentity = state?.identity === identity;
  return {
    ...(state?.applied && isSameIdentity ? { applied: state.applied } : {}),
    identity,
    images: state?.images ?? {},
  };
}

export async function writeAppliedState(path: string, state: AppliedState): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(state, null, 1));
}
