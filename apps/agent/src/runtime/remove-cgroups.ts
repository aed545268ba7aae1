import { readdir, readFile, rmdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { DEFAULT_CGROUP_PARENT, formatCgroupsPath, type UnitSettings } from '@openaos/spec';
import { describeError } from '../errors.js';

/**
 * Mount points of every cgroup hierarchy in `/proc/self/mountinfo` text: each v1 controller
 * mount (co-mounted ones like `cpu,cpuacct` once), named ones (`name=systemd`) and cgroup2.
 * runc creates the container's cgroup in each of them.
 */
export function parseCgroupMountPoints(mountinfoText: string): string[] {
  const points: string[] = [];
  for (const line of mountinfoText.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    const type = separator >= 0 ? fields[separator + 1] : undefined;
    const mountPoint = fields[4];
    if ((type !== 'cgroup' && type !== 'cgroup2') || mountPoint === undefined) continue;
    // mountinfo escapes spaces and the like as octal (\040).
    const path = mountPoint.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    if (!points.includes(path)) points.push(path);
  }
  return points;
}

/** Subdirectories of `dir`, deepest first, then `dir` itself; [] when it does not exist. */
async function listLeafFirst(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!entries) return [];
  const nested: string[] = [];
  for (const entry of entries) if (entry.isDirectory()) nested.push(...(await listLeafFirst(join(dir, entry.name))));
  return [...nested, dir];
}

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
  const relative = posix.normalize(`/${cgroupPath}`).replace(/\/+$/, '');
  // Never walk a hierarchy's root: rmdir would try every empty cgroup of the host.
  if (relative === '' || relative === '/')
    throw new Error(
      `removing cgroup "${cgroupPath}": refusing the root of the cgroup hierarchies; give a path below it such as /openaos/<instanceId>`,
    );
  const mounts = parseCgroupMountPoints(options.mountinfoText ?? (await readFile('/proc/self/mountinfo', 'utf8')));
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
 * The one removal of an instance's cgroups: its dirs in every hierarchy, leaf first, at
 * `cgroupsPath` (as recorded) or, when there is no record, where the agent puts them
 * (`<cgroupParent>/<instanceId>`). Used when an instance is removed, when a container without a
 * record is deleted at start, and at teardown. Errors are logged, never thrown: a cgroup left
 * behind must not stop the removal of the rest.
 */
export async function removeInstanceCgroups(
  unit: Pick<UnitSettings, 'cgroupParent'>,
  instanceId: string,
  cgroupsPath: string | undefined,
  log: (message: string) => void,
): Promise<void> {
  await removeCgroupDirs(cgroupsPath || formatCgroupsPath(instanceId, unit.cgroupParent), log).catch((error: unknown) =>
    log(`removing the cgroups of ${instanceId}: ${describeError(error)}`),
  );
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
