import type { AosServiceConfig } from '@openaos/config';
import type { InstanceReading, Monitor } from '../monitoring/index.js';
import type { AgentRecords, Observations } from '../state.js';
import { instancePaths, type StoragePaths } from '../paths.js';

/** Make the monitor watch exactly the running instances, with their quotas and alert rules. */
export function syncMonitor(
  monitor: Monitor,
  records: AgentRecords,
  observations: Observations,
  paths: StoragePaths,
): void {
  for (const [instanceId, runtime] of Object.entries(observations.instances)) {
    const record = records.instances[instanceId];
    const installed = record ? records.installed[record.instance.manifestDigest] : undefined;
    if (runtime.phase !== 'running' || !record || !installed) {
      monitor.removeInstance(instanceId);
      continue;
    }
    const serviceConfig = installed.serviceConfig as AosServiceConfig;
    monitor.addInstance({
      serviceId: record.instance.serviceId,
      subjectId: record.instance.subjectId,
      instance: record.instance.index,
      instanceId,
      cgroupsPath: record.cgroupsPath,
      ...((serviceConfig.quotas?.storageLimit ?? 0) > 0
        ? { storagePath: instancePaths(paths, instanceId).storageDir }
        : {}),
      quotas: serviceConfig.quotas ?? {},
      ...(serviceConfig.alertRules ? { alertRules: serviceConfig.alertRules } : {}),
    });
  }
}

/** Latest readings keyed `serviceId/subjectId/index` (usage.json, shown by `aos-agent status`). */
export function collectUsage(monitor: Monitor, records: AgentRecords): Record<string, InstanceReading> {
  const usage: Record<string, InstanceReading> = {};
  for (const record of Object.values(records.instances)) {
    const reading = monitor.readLatest(record.instance.instanceId);
    if (reading) usage[`${record.instance.serviceId}/${record.instance.subjectId}/${record.instance.index}`] = reading;
  }
  return usage;
}
