import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';

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
export async function listLeafFirst(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!entries) return [];
  const nested: string[] = [];
  for (const entry of entries) if (entry.isDirectory()) nested.push(...(await listLeafFirst(join(dir, entry.name))));
  return [...nested, dir];
}

/** The cgroup mount points of this process, or of `mountinfoText` (tests). */
export async function readCgroupMountPoints(mountinfoText?: string): Promise<string[]> {
  return parseCgroupMountPoints(mountinfoText ?? (await readFile('/proc/self/mountinfo', 'utf8')));
}

/**
 * `cgroupPath` as a clean path below the hierarchies' roots (`/openaos/<id>`). Refuses the root
 * itself: walking it would touch every cgroup of the host.
 */
export function toRelativeCgroupPath(cgroupPath: string, doing: string): string {
  const relative = posix.normalize(`/${cgroupPath}`).replace(/\/+$/, '');
  if (relative === '' || relative === '/')
    throw new Error(
      `${doing} cgroup "${cgroupPath}": refusing the root of the cgroup hierarchies; give a path below it such as /openaos/<instanceId>`,
    );
  return relative;
}
