import { readdir } from 'node:fs/promises';
import type { AgentRecords } from '../state.js';
import { cleanupContainer, stopContainer, type RunnerContext } from './instance-runner.js';
import { removeInstanceCgroups, removeUnclaimedCgroups } from './remove-cgroups.js';

/**
 * Re-adopt containers at the agent's start: those with a record are left running as they are
 * (the next observation finds them through their pid files); containers runc knows without a
 * record are stopped and deleted with their cgroups; what runs in a cgroup under the agent's
 * parent that no record claims (a container whose runc state was lost) is killed and its
 * cgroups removed; instance dirs without a record lose what is left of a container (runc
 * state, rootfs mount, pid and exit files).
 */
export async function adoptContainers(
  runner: RunnerContext,
  records: AgentRecords,
  log: (message: string) => void,
): Promise<void> {
  const known = new Set(Object.keys(records.instances));
  for (const container of await runner.runc.list()) {
    if (known.has(container.id)) continue;
    log(`deleting container ${container.id}: no record of it`);
    await stopContainer(runner, container.id);
    await removeInstanceCgroups(runner.unit, container.id, undefined, log);
  }
  await removeUnclaimedCgroups(
    runner.unit,
    Object.values(records.instances).map((record) => record.cgroupsPath),
    log,
  );
  for (const entry of await readdir(runner.paths.instances)) {
    if (!known.has(entry)) await cleanupContainer(runner, entry);
  }
}
