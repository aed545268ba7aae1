import { describeError } from './errors.js';
import { instancePaths } from './paths.js';
import { runProgram } from './run-program.js';
import { stopContainer, type RunnerContext } from './runtime/instance-runner.js';
import { removeCgroupParent, removeInstanceCgroups, removeUnclaimedCgroups } from './runtime/remove-cgroups.js';
import { unmountRootfs } from './runtime/rootfs.js';
import type { AgentRecords } from './state.js';
import { unmountAllVolumes } from './storage/instance-volumes.js';
import { isMountPoint } from './storage/mount-storage.js';

/**
 * Remove everything the agent created: containers (recorded, known to runc, or left in a cgroup
 * under its parent), their rootfs mounts and cgroups, networks (namespaces, bridges, chains),
 * storage/state volume mounts, the cgroup parent, the host root bind and, when the agent mounted it, the
 * storage filesystem. For tests and uninstall; the loop must be stopped first.
 */
export async function tearDown(input: {
  runner: RunnerContext;
  records: AgentRecords;
  hasMountedStorage: boolean;
  log: (message: string) => void;
}): Promise<void> {
  const { runner, records, log } = input;
  const ids = new Set([
    ...Object.keys(records.instances),
    ...(await runner.runc.list().catch(() => [])).map((container) => container.id),
  ]);
  for (const id of ids) {
    await stopContainer(runner, id).catch((error: unknown) => log(`destroy: ${describeError(error)}`));
    await unmountRootfs(instancePaths(runner.paths, id)).catch(() => undefined);
    await removeInstanceCgroups(runner.unit, id, records.instances[id]?.cgroupsPath, log);
  }
  await runner.network?.removeAll().catch((error: unknown) => log(`destroy: ${describeError(error)}`));
  await unmountAllVolumes(runner.paths.storage, runner.paths.state);
  // And whatever else runs under the parent (containers whose state was lost).
  await removeUnclaimedCgroups(runner.unit, [], log);
  await removeCgroupParent(runner.unit, log);
  if (await isMountPoint(runner.paths.hostRoot)) await runProgram('umount', ['-l', runner.paths.hostRoot]);
  if (input.hasMountedStorage && (await isMountPoint(runner.paths.root)))
    await runProgram('umount', ['-l', runner.paths.root]);
}
