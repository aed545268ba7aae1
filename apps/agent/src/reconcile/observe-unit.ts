import { observeInstance, type RunnerContext } from '../runtime/instance-runner.js';
import type { AgentRecords, InstanceRuntime, Observations, UnitState } from '../state.js';

/** One observation of the unit: the current state and what the planner needs beside it. */
export interface Observed {
  current: UnitState;
  observations: Observations;
}

/**
 * Observe the unit now: the current state from the records (what is installed, which instances
 * exist) and each recorded instance's container as the disk shows it (pid file, /proc, exit
 * status, cgroup), so it is equally valid after an agent restart.
 */
export async function observeUnit(runner: RunnerContext, records: AgentRecords, now: number): Promise<Observed> {
  const current: UnitState = {
    services: Object.values(records.installed).map((service) => ({
      serviceId: service.serviceId,
      version: service.version,
      manifestDigest: service.manifestDigest,
      urls: [],
      runParameters: service.runParameters,
    })),
    instances: Object.values(records.instances).map((record) => record.instance),
  };
  const instances: Record<string, InstanceRuntime> = {};
  for (const record of Object.values(records.instances))
    instances[record.instance.instanceId] = await observeInstance(runner, record, now);
  return {
    current,
    observations: { now, services: records.services, instances, installFailures: records.installFailures },
  };
}
