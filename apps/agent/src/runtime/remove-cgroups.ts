import { readdir, rmdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { DEFAULT_CGROUP_PARENT, formatCgroupsPath, type UnitSettings } from '@openaos/spec';
import { AgentError, describeError } from '../errors.js';
import { listLeafFirst, readCgroupMountPoints, toRelativeCgroupPath } from './cgroup-hierarchies.js';
import { killCgroupTasks } from './kill-cgroup-tasks.js';

/**
 * Remove the cgroup `cgroupPath` (e.g. `/openaos/<instanceId>`) and its sub-cgroups in every
 * hierarchy, leaf first (a cgroup with children cannot be removed). `runc delete` removes what
 * it knows of; this also covers containers runc no longer knows (state gone, agent crashed
 * between steps) and parents runc never removes. rmdir only removes an empty cgroup: one that
 * still has tasks fails with EBUSY, which is logged and left. `withChildren: false` removes
 * only the directory itself (a shared parent: its children are not ours to remove). Returns
 * the directories removed.
 */
export async function removeCgroupDirs(
  cgroupPath: string,
  log: (message: string) => void,
  options: { mountinfoText?: string; withChildren?: boolean } = {},
): Promise<string[]> {
  const relative = toRelativeCgroupPath(cgroupPath, 'removing');
  const mounts = await readCgroupMountPoints(options.mountinfoText);
  const removed: string[] = [];
  for (const mount of mounts) {
    for (const dir of options.withChildren === false
      ? [join(mount, relative)]
      : await listLeafFirst(join(mount, relative))) {
      try {
        await rmdir(dir);
        removed.push(dir);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue;
        log(
          `leaving cgroup ${dir}: ${code === 'EBUSY' || code === 'ENOTEMPTY' ? 'still in use' : (error as Error).message}`,
        );
      }
    }
  }
  return removed;
}

/**
 * The one removal of an instance's cgroups, at `cgroupsPath` (as recorded) or, when there is no
 * record, where the agent puts them (`<cgroupParent>/<instanceId>`): whatever still runs in them
 * is killed (a container runc lost the state of), then their dirs are removed in every hierarchy,
 * leaf first. Used when an instance is removed, for containers without a record at start, for
 * orphaned cgroups, and at teardown. Errors are logged, never thrown: a cgroup left behind must
 * not stop the removal of the rest.
 */
export async function removeInstanceCgroups(
  unit: Pick<UnitSettings, 'cgroupParent'>,
  instanceId: string,
  cgroupsPath: string | undefined,
  log: (message: string) => void,
): Promise<void> {
  const path = cgroupsPath || formatCgroupsPath(instanceId, unit.cgroupParent);
  try {
    const killed = await killCgroupTasks(path);
    if (killed.length > 0) log(`killed what still ran in cgroup ${path}: pids ${killed.join(', ')}`);
    await removeCgroupDirs(path, log);
  } catch (error) {
    log(`removing the cgroups of ${instanceId}: ${describeError(error)}`);
  }
}

/**
 * Remove the cgroups under the agent's cgroup parent that no record claims (`claimed`: recorded
 * cgroupsPaths), in every hierarchy, killing what runs in them first. The parent belongs to this
 * agent alone: what runs there without a record is a container whose state was lost (its
 * storage unmounted under it, runc's root wiped) and nothing would ever stop it. Returns the
 * cgroup paths removed.
 */
export async function removeUnclaimedCgroups(
  unit: Pick<UnitSettings, 'cgroupParent'>,
  claimed: Iterable<string>,
  log: (message: string) => void,
): Promise<string[]> {
  const parent = posix.normalize(`/${unit.cgroupParent ?? DEFAULT_CGROUP_PARENT}`).replace(/\/+$/, '');
  if (parent === '')
    throw new AgentError(
      'bad-cgroup-parent',
      `checking the cgroup parent "${unit.cgroupParent}": it must be below the root of the cgroup hierarchies, since everything under it without a record is killed; give --cgroup-parent /openaos`,
    );
  const isClaimed = new Set([...claimed].map((path) => posix.normalize(`/${path}`).replace(/\/+$/, '')));
  const children = new Set<string>();
  for (const mount of await readCgroupMountPoints()) {
    const entries = await readdir(join(mount, parent), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) children.add(`${parent}/${entry.name}`);
  }
  const unclaimed = [...children].filter((path) => !isClaimed.has(path));
  for (const path of unclaimed) {
    log(`removing cgroup ${path}: no record claims it`);
    await removeInstanceCgroups(unit, path.slice(parent.length + 1), path, log);
  }
  return unclaimed;
}

/**
 * Remove the agent's cgroup parent dirs runc created, once nothing runs under it: only the
 * (empty) parent itself, never its children. Errors are logged, never thrown.
 */
export async function removeCgroupParent(
  unit: Pick<UnitSettings, 'cgroupParent'>,
  log: (message: string) => void,
): Promise<void> {
  const parent = unit.cgroupParent ?? DEFAULT_CGROUP_PARENT;
  const removed = await removeCgroupDirs(parent, log, { withChildren: false }).catch((error: unknown) => {
    log(`removing the cgroup parent ${parent}: ${describeError(error)}`);
    return [];
  });
  if (removed.length > 0) log(`removed the cgroup parent ${parent} (${removed.length} hierarchies)`);
}
