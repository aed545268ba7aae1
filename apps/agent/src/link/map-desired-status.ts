import type { DesiredStatus as AgentTarget } from '../formats/desired-status.js';
import type { AosIdentity, DesiredStatus } from '@openaos/protocol/v7';

/** What the link knows of an item's image once its index is read: the manifest to install. */
export interface ResolvedImage {
  manifestDigest: string;
  /** Size of the manifest blob. */
  size?: number;
}

/** The name of a v7 object in the agent's target: its id (cloud objects), else its codename. */
export function identityName(identity: AosIdentity): string | undefined {
  return identity.id ?? identity.codename ?? undefined;
}

/**
 * The agent's target (what `acceptTarget` persists and the reconciler works toward) of a verified
 * v7 desired status. Every item must have its image resolved (index → manifest for this unit);
 * its blobs are read from `blobSource` (the link's verified downloads). The v7 status is the whole
 * desired state, so both lists are always given (an item left out is removed). Pure.
 */
export function mapDesiredStatus(
  desired: DesiredStatus,
  images: ReadonlyMap<string, ResolvedImage>,
  blobSource: string,
): AgentTarget {
  const services = desired.items.map((item) => {
    const id = identityName(item.item);
    const image = images.get(item.indexDigest);
    const providerId = identityName(item.owner); // the service provider: its instances share one network
    if (id === undefined) throw new Error(`desired item ${JSON.stringify(item.item)} has neither id nor codename`);
    if (!image) throw new Error(`the image ${item.indexDigest} of ${id}@${item.version} is not resolved`);
    return {
      id,
      version: item.version,
      manifestDigest: image.manifestDigest,
      urls: [blobSource],
      ...(image.size !== undefined ? { size: image.size } : {}),
      ...(item.isRollback ? { isRollback: true } : {}),
      ...(providerId !== undefined ? { providerId } : {}),
    };
  });
  const instances = desired.instances.flatMap((entry) => {
    const serviceId = identityName(entry.item);
    const subjectId = identityName(entry.subject);
    if (serviceId === undefined || subjectId === undefined) return [];
    return [
      {
        serviceId,
        subjectId,
        priority: entry.priority,
        numInstances: entry.numInstances,
        ...(entry.labels ? { labels: entry.labels } : {}),
      },
    ];
  });
  return { messageType: 'desiredStatus', services, instances };
}
