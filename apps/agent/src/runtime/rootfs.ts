import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProgram } from '../run-program.js';
import { AgentError } from '../errors.js';
import type { InstancePaths, StoragePaths } from '../paths.js';
import { isMountPoint } from '../storage/mount-storage.js';

export interface RootfsOptions {
  /** Unpacked layer directories, top first (service rootfs layer, then Aos layers). */
  layerDirs: string[];
  hostname?: string;
  /** Extra `/etc/hosts` lines. */
  hosts?: { ip: string; hostname: string }[];
  /** Whether the rootfs is mounted now, when the caller just checked (saves a mountinfo read). */
  isMounted?: boolean;
}

/**
 * Prepare the instance rootfs (reference §4.2) and return the overlay mount options; the shim
 * mounts it (see spawn-shim.ts). Layout: overlay of lowerdir = [instance mounts dir,
 * service layers…, host whiteouts, host root bind], with a fresh upper/work pair on the
 * agent's filesystem so each start begins from the image (persistent data goes to /storage
 * and /state.dat). The mounts dir provides etc/hosts and etc/resolv.conf.
 */
export async function prepareRootfs(
  storage: StoragePaths,
  instance: InstancePaths,
  options: RootfsOptions,
): Promise<string> {
  await unmountRootfs(instance, options.isMounted);
  await rm(instance.upper, { recursive: true, force: true });
  await rm(instance.work, { recursive: true, force: true });
  await Promise.all(
    [instance.upper, instance.work, instance.rootfs, join(instance.mounts, 'etc')].map((dir) =>
      mkdir(dir, { recursive: true }),
    ),
  );
  const hostsLines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    ...(options.hostname ? [`127.0.1.1\t${options.hostname}`] : []),
  ];
  for (const entry of options.hosts ?? []) hostsLines.push(`${entry.ip}\t${entry.hostname}`);
  await writeFile(join(instance.mounts, 'etc', 'hosts'), hostsLines.join('\n') + '\n');
  const resolvConf = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  await writeFile(join(instance.mounts, 'etc', 'resolv.conf'), resolvConf);
  const lower = [instance.mounts, ...options.layerDirs, storage.whiteouts, storage.hostRoot].join(':');
  return `lowerdir=${lower},upperdir=${instance.upper},workdir=${instance.work}`;
}

/** Mount the rootfs prepared by prepareRootfs (for callers that do not go through the shim). */
export async function mountRootfs(
  storage: StoragePaths,
  instance: InstancePaths,
  options: RootfsOptions,
): Promise<void> {
  const overlay = await prepareRootfs(storage, instance, options);
  try {
    await runProgram('mount', ['-t', 'overlay', 'overlay', '-o', overlay, instance.rootfs]);
  } catch (cause) {
    throw new AgentError(
      'mount-failed',
      `mounting the rootfs overlay at ${instance.rootfs}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** Unmount the instance rootfs if mounted (lazy, so a lingering process cannot block removal). */
export async function unmountRootfs(instance: InstancePaths, isMounted?: boolean): Promise<void> {
  if (!(isMounted ?? (await isMountPoint(instance.rootfs)))) return;
  try {
    await runProgram('umount', [instance.rootfs]);
  } catch {
    await runProgram('umount', ['-l', instance.rootfs]);
  }
}
