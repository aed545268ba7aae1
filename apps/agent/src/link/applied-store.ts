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
  images: Record<string, ResolvedImage>;
}

export async function readAppliedState(path: string): Promise<AppliedState> {
  const state = await readJsonFile<Partial<AppliedState>>(path);
  return { ...(state?.applied ? { applied: state.applied } : {}), images: state?.images ?? {} };
}

export async function writeAppliedState(path: string, state: AppliedState): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(state, null, 1));
}
