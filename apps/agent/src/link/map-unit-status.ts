/**
 * The agent's status (status/build-unit-status.ts) in v7 form, as the cloud reads it
 * (docs/unit-channel.md "Unit status"): items per (id, version) with their state, and instances
 * grouped per (item, subject, version). Items the link is still downloading are overlaid as
 * `downloading` (or `failed` with the reason), unless the agent already has them installed. Pure.
 */
import type { UnitStatus as AgentStatus } from '../formats/unit-status.js';
import type {
  AosIdentity,
  ErrorInfo,
  InstancesInfo,
  ItemState,
  ItemStatus,
  MessageInput,
  UnitNodeInfo,
} from '@openaos/protocol/v7';

export type V7UnitStatus = MessageInput<'unitStatus'> & { messageType: 'unitStatus' };

/** An item the link works on before the agent has it: downloading, or failed to download. */
export interface ItemOverlay {
  id: string;
  version: string;
  state: 'downloading' | 'failed';
  errorInfo?: ErrorInfo;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A name in the agent's state as a v7 identity: a UUID is an `id`, anything else (a local subject) a `codename`. */
export function toIdentity(name: string): AosIdentity {
  return UUID.test(name) ? { id: name } : { codename: name };
}

const ITEM_STATES: Record<AgentStatus['services'][number]['status'], ItemState> = {
  unknown: 'unknown',
  pending: 'pending',
  downloading: 'downloading',
  downloaded: 'pending',
  installing: 'installing',
  installed: 'installed',
  removing: 'removing',
  removed: 'removed',
  error: 'failed',
};

export interface MapStatusOptions {
  nodeCodename: string;
  runtimeCodename: string;
  overlay?: readonly ItemOverlay[];
  /** Included in a full status. */
  node?: UnitNodeInfo;
}

/** The full v7 unitStatus of the agent's status plus the link's downloads. */
export function mapUnitStatus(status: AgentStatus | undefined, options: MapStatusOptions): V7UnitStatus {
  const items: ItemStatus[] = [];
  // What the agent has installed is installed, whatever the link still shows as downloading (its
  // overlay lags the agent: it is cleared only after the desired status is stored).
  const installed = new Set(
    (status?.services ?? [])
      .filter((service) => service.status === 'installed')
      .map((service) => `${service.id}@${service.version}`),
  );
  const overlay = (options.overlay ?? []).filter(
    (item) => item.state !== 'downloading' || !installed.has(`${item.id}@${item.version}`),
  );
  const overlaid = new Set(overlay.map((item) => `${item.id}@${item.version}`));
  for (const item of overlay)
    items.push({
      item: toIdentity(item.id),
      version: item.version,
      state: item.state,
      ...(item.errorInfo ? { errorInfo: item.errorInfo } : {}),
    });
  for (const service of status?.services ?? []) {
    if (overlaid.has(`${service.id}@${service.version}`)) continue;
    items.push({
      item: toIdentity(service.id),
      version: service.version,
      state: ITEM_STATES[service.status],
      ...(service.errorInfo ? { errorInfo: service.errorInfo } : {}),
    });
  }
  const groups = new Map<string, InstancesInfo>();
  for (const instance of status?.instances ?? []) {
    const key = `${instance.serviceId}/${instance.subjectId}/${instance.version}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        item: toIdentity(instance.serviceId),
        subject: toIdentity(instance.subjectId),
        version: instance.version,
        instances: [],
      };
      groups.set(key, group);
    }
    group.instances.push({
      node: { codename: options.nodeCodename },
      runtime: { codename: options.runtimeCodename },
      instance: instance.instance,
      state: instance.status,
      ...(instance.errorInfo ? { errorInfo: instance.errorInfo } : {}),
    });
  }
  return {
    messageType: 'unitStatus',
    isDeltaInfo: false,
    ...(options.node ? { nodes: [options.node] } : {}),
    items,
    instances: [...groups.values()],
  };
}

function itemKey(item: ItemStatus): string {
  return `${item.item.id ?? item.item.codename}@${item.version}`;
}

function groupKey(group: InstancesInfo): string {
  return `${group.item.id ?? group.item.codename}/${group.subject.id ?? group.subject.codename}/${group.version}`;
}

/**
 * What to send after `previous` was sent: undefined when nothing changed; a delta
 * (`isDeltaInfo: true`, only the new or changed items and instance groups) when nothing went
 * away; else the full status (a delta cannot say that an item or group is gone).
 */
export function nextStatusMessage(previous: V7UnitStatus | undefined, next: V7UnitStatus): V7UnitStatus | undefined {
  if (!previous) return next;
  const changed = <T>(now: T[], before: T[], key: (value: T) => string) => {
    const old = new Map(before.map((value) => [key(value), JSON.stringify(value)]));
    return now.filter((value) => old.get(key(value)) !== JSON.stringify(value));
  };
  const [items, before] = [next.items ?? [], previous.items ?? []];
  const [groups, groupsBefore] = [next.instances ?? [], previous.instances ?? []];
  const nextItemKeys = new Set(items.map(itemKey));
  const nextGroupKeys = new Set(groups.map(groupKey));
  const isSomethingGone =
    before.some((item) => !nextItemKeys.has(itemKey(item))) ||
    groupsBefore.some((group) => !nextGroupKeys.has(groupKey(group)));
  if (isSomethingGone) return next;
  const changedItems = changed(items, before, itemKey);
  const changedGroups = changed(groups, groupsBefore, groupKey);
  if (changedItems.length === 0 && changedGroups.length === 0) return undefined;
  return { messageType: 'unitStatus', isDeltaInfo: true, items: changedItems, instances: changedGroups };
}
