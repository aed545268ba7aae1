import type { MessageInput } from '@openaos/protocol/v7';
import { compareSemver } from '../semver.js';

/** What the instances of a version ask for (its config's `instances`). */
export interface InstanceSettings {
  minInstances?: number | undefined;
  priority?: number | undefined;
  labels?: string[] | undefined;
}

/** The database rows a unit's desired status is computed from (see loadDesiredStatusInputs). */
export interface DesiredStatusInputs {
  /** Whether the unit is in at least one verification unit set (gets ready versions unapproved). */
  isVerificationUnit: boolean;
  /** Subjects that bind the unit directly or through one of its unit sets. */
  subjects: { id: string; name: string; type: 'group' | 'user' }[];
  /** Services bound to those subjects. */
  bindings: { subjectId: string; serviceId: string }[];
  services: { id: string; title: string; ownerId: string; ownerTitle: string }[];
  /** Versions of those services (any state; only ready/approved are considered). */
  versions: {
    id: string;
    serviceId: string;
    version: string;
    state: string;
    indexDigest: string | null;
    instances: InstanceSettings | undefined;
  }[];
  /** The items of the desired status last issued to this unit (for `isRollback`). */
  previousItems: { serviceId: string; version: string; isRollback: boolean }[];
  /**
   * What the unit's rollouts give it per service (domain/rollouts/resolve-pins.ts): the version, or
   * null for none. Absent for a service no rollout of the unit's subjects covers.
   */
  rolloutPins?: { serviceId: string; version: string | null }[];
  /**
   * Approved versions held by a rollout that has not completed (running, paused or aborted): a unit
   * no rollout covers does not get them as its newest approved version.
   */
  heldVersionIds?: string[];
}

type DesiredStatusInput = MessageInput<'desiredStatus'>;
/** The computed desiredStatus data (unsigned); items, instances and subjects always present. */
export type DesiredStatusData = DesiredStatusInput & {
  messageType: 'desiredStatus';
  items: NonNullable<DesiredStatusInput['items']>;
  instances: NonNullable<DesiredStatusInput['instances']>;
  subjects: NonNullable<DesiredStatusInput['subjects']>;
};

export interface ComputedDesiredStatus {
  data: DesiredStatusData;
  /** The version chosen per service. */
  chosen: { serviceId: string; versionId: string; version: string }[];
  /** Chosen versions whose image index is not written yet: their items are left out until it is. */
  missingIndex: string[];
}

/**
 * A unit's desired status from its rows (docs/unit-channel.md "Desired status"), pure:
 * - every service bound to a subject that binds the unit;
 * - for a unit in a verification set its newest `ready` or `approved` version; for another unit
 *   the version its rollouts give it (a pin: that ready or approved version, or none), else the
 *   newest `approved` version no unfinished rollout holds; none → the service is absent;
 * - one instances entry per (service, subject): `minInstances` → `numInstances` (default 1; 0 asks
 *   for no instance, so the entry is left out), `priority` (default 0), `labels`;
 * - `isRollback` when the version is older than the one last issued for that service (and kept
 *   while that rollback version stays, so an unchanged status does not flap);
 * - sorted by id, so equal inputs give equal documents (and digests).
 */
export function computeDesiredStatus(inputs: DesiredStatusInputs): ComputedDesiredStatus {
  const allowed = inputs.isVerificationUnit ? new Set(['ready', 'approved']) : new Set(['approved']);
  const pins = new Map((inputs.rolloutPins ?? []).map((pin) => [pin.serviceId, pin.version]));
  const held = new Set(inputs.heldVersionIds ?? []);
  const boundServiceIds = [...new Set(inputs.bindings.map((binding) => binding.serviceId))].sort();
  const previous = new Map(inputs.previousItems.map((item) => [item.serviceId, item]));
  const items: DesiredStatusData['items'] = [];
  const instances: DesiredStatusData['instances'] = [];
  const usedSubjects = new Set<string>();
  const chosen: ComputedDesiredStatus['chosen'] = [];
  const missingIndex: string[] = [];
  for (const serviceId of boundServiceIds) {
    const service = inputs.services.find((candidate) => candidate.id === serviceId);
    const version =
      !inputs.isVerificationUnit && pins.has(serviceId)
        ? pinnedVersion(inputs.versions, serviceId, pins.get(serviceId) ?? null)
        : newestAllowed(
            inputs.versions.filter((candidate) => inputs.isVerificationUnit || !held.has(candidate.id)),
            serviceId,
            allowed,
          );
    if (!service || !version) continue;
    chosen.push({ serviceId, versionId: version.id, version: version.version });
    if (!version.indexDigest) {
      missingIndex.push(version.id);
      continue;
    }
    const before = previous.get(serviceId);
    const comparison = before ? compareSemver(version.version, before.version) : 1;
    const isRollback = comparison < 0 || (comparison === 0 && before?.isRollback === true);
    items.push({
      item: { id: serviceId, type: 'service', codename: service.title },
      version: version.version,
      owner: { id: service.ownerId, type: 'sp', title: service.ownerTitle },
      indexDigest: version.indexDigest,
      ...(isRollback && { isRollback: true }),
    });
    const subjectIds = inputs.bindings
      .filter((binding) => binding.serviceId === serviceId)
      .map((binding) => binding.subjectId)
      .filter((subjectId) => inputs.subjects.some((subject) => subject.id === subjectId));
    for (const subjectId of [...new Set(subjectIds)].sort()) {
      const settings = version.instances ?? {};
      const numInstances = settings.minInstances ?? 1;
      if (numInstances < 1) continue;
      usedSubjects.add(subjectId);
      instances.push({
        item: { id: serviceId },
        subject: { id: subjectId },
        priority: settings.priority ?? 0,
        numInstances,
        ...(settings.labels && settings.labels.length > 0 && { labels: [...settings.labels] }),
      });
    }
  }
  const subjects = inputs.subjects
    .filter((subject) => usedSubjects.has(subject.id))
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((subject) => ({ identity: { id: subject.id, codename: subject.name }, type: subject.type }));
  return { data: { messageType: 'desiredStatus', items, instances, subjects }, chosen, missingIndex };
}

function newestAllowed(
  versions: DesiredStatusInputs['versions'],
  serviceId: string,
  allowed: Set<string>,
): DesiredStatusInputs['versions'][number] | undefined {
  let newest: DesiredStatusInputs['versions'][number] | undefined;
  for (const version of versions) {
    if (version.serviceId !== serviceId || !allowed.has(version.state)) continue;
    if (!newest || compareSemver(version.version, newest.version) > 0) newest = version;
  }
  return newest;
}

/** The ready or approved version a rollout pins (none when it pins none or the version is gone). */
function pinnedVersion(
  versions: DesiredStatusInputs['versions'],
  serviceId: string,
  pinned: string | null,
): DesiredStatusInputs['versions'][number] | undefined {
  if (pinned === null) return undefined;
  return versions.find(
    (version) =>
      version.serviceId === serviceId &&
      version.version === pinned &&
      (version.state === 'ready' || version.state === 'approved'),
  );
}
