import { AgentError } from '../errors.js';

/** The parts of service_config.json the admission check reads. */
export interface SpaceRequest {
  skipResourceLimits?: boolean;
  quotas?: { storageLimit?: number; stateLimit?: number };
  requestedResources?: { storage?: number; state?: number };
}

/** Share of a quota reserved when the service requests nothing (AosEdge's default resource ratio). */
export const DEFAULT_RESOURCE_RATIO = 0.5;

/**
 * The space a version needs on the unit before it is installed (AosEdge CM `getReqDiskSize`):
 * each storage/state quota reserves `min(requested, quota)`, or `quota × 50 %` when nothing is
 * requested — none with `skipResourceLimits` — and the image needs its missing blobs twice
 * (the compressed blob, and about as much again unpacked; the unpacked size is not announced).
 */
export function computeRequiredSpace(config: SpaceRequest, missingBlobBytes: number) {
  const reserve = (quota: number | undefined, requested: number | undefined) => {
    if (config.skipResourceLimits === true || quota === undefined || quota <= 0) return 0;
    return requested === undefined ? Math.ceil(quota * DEFAULT_RESOURCE_RATIO) : Math.min(requested, quota);
  };
  const storage = reserve(config.quotas?.storageLimit, config.requestedResources?.storage);
  const state = reserve(config.quotas?.stateLimit, config.requestedResources?.state);
  const image = missingBlobBytes * 2;
  return { storage, state, image, total: storage + state + image };
}

function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(bytes / 1e3)} kB`;
}

/** Refuse (AgentError `not-enough-space`, AosEdge's reason) a version that does not fit in `freeBytes`. */
export function checkStorageSpace(
  what: string,
  config: SpaceRequest,
  missingBlobBytes: number,
  freeBytes: number,
): void {
  const needed = computeRequiredSpace(config, missingBlobBytes);
  if (needed.total <= freeBytes) return;
  throw new AgentError(
    'not-enough-space',
    `${what}: not enough storage space: it needs ${formatBytes(needed.total)} (image ${formatBytes(needed.image)}, storage ${formatBytes(needed.storage)}, state ${formatBytes(needed.state)}) and the unit has ${formatBytes(freeBytes)} free; remove services, lower quotas.storage/state or requestedResources, or give the agent more storage`,
  );
}
