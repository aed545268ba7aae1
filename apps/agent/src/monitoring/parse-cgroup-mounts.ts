/** Where the cgroup controllers the monitor reads are mounted. */
export interface CgroupLayout {
  /** 1 when the v1 memory controller is mounted (hybrid hosts count as v1), else 2. */
  version: 1 | 2;
  /** v1 mount point of each controller the monitor reads. */
  controllers: { memory?: string; cpuacct?: string; pids?: string };
  /** Mount point of the unified (v2) hierarchy, when mounted. */
  unifiedRoot?: string;
}

/**
 * Find the cgroup mounts in `/proc/self/mounts` text. v1 controllers are named in the mount
 * options (`rw,relatime,cpu,cpuacct`), so co-mounted ones share a directory.
 */
export function parseCgroupMounts(mountsText: string): CgroupLayout {
  const controllers: CgroupLayout['controllers'] = {};
  let unifiedRoot: string | undefined;
  for (const line of mountsText.split('\n')) {
    const [, mountPoint, type, options = ''] = line.split(' ');
    if (mountPoint === undefined) continue;
    // /proc/mounts escapes spaces and the like as octal (\040).
    const path = mountPoint.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    if (type === 'cgroup2') unifiedRoot ??= path;
    if (type !== 'cgroup') continue;
    const names = options.split(',');
    for (const controller of ['memory', 'cpuacct', 'pids'] as const) {
      if (names.includes(controller)) controllers[controller] ??= path;
    }
  }
  if (controllers.memory !== undefined)
    return { version: 1, controllers, ...(unifiedRoot === undefined ? {} : { unifiedRoot }) };
  if (unifiedRoot !== undefined) return { version: 2, controllers: {}, unifiedRoot };
  throw new Error(
    'reading cgroup mounts: neither a v1 memory controller nor a cgroup2 hierarchy is mounted; mount cgroups before starting the agent',
  );
}
