import type { AlertTag } from '@openaos/protocol/v7';

/** The kinds a person filters alerts by, one per v7 tag. */
export const ALERT_KINDS = [
  'system',
  'core',
  'system-quota',
  'instance-quota',
  'instance',
  'device',
  'download',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const KIND_OF_TAG: Record<AlertTag, AlertKind> = {
  systemAlert: 'system',
  coreAlert: 'core',
  systemQuotaAlert: 'system-quota',
  instanceQuotaAlert: 'instance-quota',
  updateItemInstanceAlert: 'instance',
  deviceAllocateAlert: 'device',
  downloadProgressAlert: 'download',
};

/** Kinds that name a service instance: an SP user sees these (of its own services) only. */
export const INSTANCE_KINDS: readonly AlertKind[] = ['instance-quota', 'instance', 'device'];
