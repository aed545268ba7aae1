import type { AlertSetting, AlertSettings, DeviceRequest, Quotas, RequestedResources } from '../types.js';
import { readDuration, readNumber, readSize, readString, requireValue } from './read-values.js';
import { entry, type Field, type YamlReader } from './yaml-reader.js';

/** aos-signer's MEMORY_LIMIT_MIN: runc and crun need at least this much memory. */
export const MEMORY_LIMIT_MIN = 6 * 1000 * 1000;

const SIZE_QUOTAS = [
  'mem',
  'state',
  'storage',
  'upload_speed',
  'download_speed',
  'upload',
  'download',
  'temp',
] as const;
const ALERT_KINDS = ['ram', 'cpu', 'storage', 'upload', 'download'] as const;

/** `quotas`; sizes in bytes. `checkMemoryMinimum` when runc or crun may run the service. */
export function readQuotas(reader: YamlReader, field: Field, checkMemoryMinimum: boolean): Quotas | undefined {
  const entries = reader.readMap(field, ['cpu', ...SIZE_QUOTAS]);
  if (entries === undefined) return undefined;
  const quotas: Quotas = {};
  const cpu = readNumber(reader, entry(entries, field, 'cpu'), {
    min: 1,
    hint: 'a percent of one unit CPU, e.g. 50',
  });
  if (cpu !== undefined) quotas.cpu = cpu;
  for (const key of SIZE_QUOTAS) {
    const bytes = readSize(reader, entry(entries, field, key));
    if (bytes !== undefined) quotas[key] = bytes;
  }
  if (checkMemoryMinimum) checkMemory(reader, entry(entries, field, 'mem'), quotas.mem);
  return quotas;
}

export function readRequestedResources(
  reader: YamlReader,
  field: Field,
  checkMemoryMinimum: boolean,
): RequestedResources | undefined {
  const entries = reader.readMap(field, ['cpu', 'ram', 'storage', 'state']);
  if (entries === undefined) return undefined;
  const resources: RequestedResources = {};
  const cpu = readNumber(reader, entry(entries, field, 'cpu'), { min: 0 });
  if (cpu !== undefined) resources.cpu = cpu;
  for (const key of ['ram', 'storage', 'state'] as const) {
    const bytes = readSize(reader, entry(entries, field, key));
    if (bytes !== undefined) resources[key] = bytes;
  }
  if (checkMemoryMinimum) checkMemory(reader, entry(entries, field, 'ram'), resources.ram);
  return resources;
}

function checkMemory(reader: YamlReader, field: Field, bytes: number | undefined): void {
  if (bytes === undefined || bytes >= MEMORY_LIMIT_MIN) return;
  const written = String(reader.scalarValue(field));
  reader.report(field, `must be at least 6MB for runc and crun (got ${written} = ${bytes} bytes)`, {
    expected: `at least ${MEMORY_LIMIT_MIN} bytes (6MB)`,
    hint: 'raise it to 6MB or more; only runners other than runc/crun (e.g. xrun) may use less',
  });
}

export function readAlerts(reader: YamlReader, field: Field): AlertSettings | undefined {
  const entries = reader.readMap(field, ALERT_KINDS);
  if (entries === undefined) return undefined;
  const alerts: AlertSettings = {};
  for (const kind of ALERT_KINDS) {
    const alert = readAlert(reader, entry(entries, field, kind));
    if (alert !== undefined) alerts[kind] = alert;
  }
  return alerts;
}

function readAlert(reader: YamlReader, field: Field): AlertSetting | undefined {
  const entries = reader.readMap(field, ['minTime', 'minThreshold', 'maxThreshold']);
  if (entries === undefined) return undefined;
  const at = (key: string): Field => entry(entries, field, key);
  requireValue(reader, at('minTime'), "an ISO 8601 duration such as 'PT5S'");
  requireValue(reader, at('minThreshold'), 'a number');
  requireValue(reader, at('maxThreshold'), 'a number');
  const minTime = readDuration(reader, at('minTime'));
  const minThreshold = readNumber(reader, at('minThreshold'), { min: 0 });
  const maxThreshold = readNumber(reader, at('maxThreshold'), { min: 0 });
  if (minTime === undefined || minThreshold === undefined || maxThreshold === undefined) return undefined;
  if (minThreshold > maxThreshold) {
    reader.report(at('minThreshold'), `minThreshold ${minThreshold} is above maxThreshold ${maxThreshold}`, {
      expected: 'minThreshold ≤ maxThreshold',
    });
    return undefined;
  }
  return { minTime, minThreshold, maxThreshold };
}

/** `devices`: [{name, mode}] with mode made of r, w, m (cgroup device access). */
export function readDevices(reader: YamlReader, field: Field): DeviceRequest[] | undefined {
  const items = reader.readList(field, 'a list of {name, mode}');
  if (items === undefined) return undefined;
  const devices: DeviceRequest[] = [];
  for (const item of items) {
    const entries = reader.readMap(item, ['name', 'mode']);
    if (entries === undefined) {
      if (reader.isAbsent(item)) reader.report(item, 'is empty', { expected: '{name, mode}' });
      continue;
    }
    requireValue(reader, entry(entries, item, 'name'), 'a device name from the unit config, e.g. camera0');
    requireValue(reader, entry(entries, item, 'mode'), 'r, rw or rwm');
    const name = readString(reader, entry(entries, item, 'name'));
    const mode = readString(reader, entry(entries, item, 'mode'), {
      pattern: /^(?!.*(.).*\1)[rwm]{1,3}$/,
      expected: 'r, w, m or a combination such as rw or rwm',
    });
    if (name !== undefined && mode !== undefined) devices.push({ name, mode });
  }
  return devices;
}

/** `permissions`: {functionalServer: {function: r|w|rw}}. */
export function readPermissions(reader: YamlReader, field: Field): Record<string, Record<string, string>> | undefined {
  const servers = reader.readMap(field, []);
  if (servers === undefined) return undefined;
  const permissions: Record<string, Record<string, string>> = {};
  for (const [server, serverField] of servers) {
    const functions = reader.readMap(serverField, []);
    if (functions === undefined) continue;
    const granted: Record<string, string> = {};
    for (const [name, functionField] of functions) {
      const access = readString(reader, functionField, { pattern: /^(r|w|rw)$/, expected: 'r, w or rw' });
      if (access !== undefined) granted[name] = access;
    }
    permissions[server] = granted;
  }
  return permissions;
}
