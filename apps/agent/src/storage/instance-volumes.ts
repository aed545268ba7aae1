import { chown, mkdir, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AgentError } from '../errors.js';
import { runProgram } from '../run-program.js';
import { isMountPoint } from './mount-storage.js';

/**
 * Hard size limits for an instance's `/storage` and `/state.dat` (reference §4.1 step 10).
 * AosEdge sets file-system quotas on the instance UID; this kernel has none, so each limited
 * volume is a sparse ext4 image of its own, loop-mounted: a write past it fails with ENOSPC
 * inside the container and nothing else is affected.
 *
 * The images are `<storage>/volumes/<instanceId>-storage.img` and `…-state.img`; they mount
 * on the instance's storage directory and on the directory of its state file (paths.ts), so
 * the rest of the agent (monitoring, removal) sees the same paths with or without limits. Volumes are created
 * before the first start, kept (mounted) across restarts and updates of the same instance —
 * the instance ID does not change with the version — and removed with the instance.
 */

/** Smallest image mkfs.ext4 makes comfortably with our options. */
const MIN_IMAGE_BYTES = 256 * 1024;

/**
 * Image size for a volume of `limit` bytes of data: the limit plus ext4's own metadata (with
 * one inode per 16 KiB: inode tables, bitmaps, the root and lost+found directories). Measured
 * here: 2 MB → 2.07 MB of file data fit, 50 MB → 49.2 MB, 500 MB → 505 MB (within 3.5 %).
 * Volumes under ~220 KB of data get that much (the smallest image).
 */
export function imageSizeFor(limit: number): number {
  const size = limit + Math.ceil(limit / 25) + 96 * 1024;
  return Math.max(MIN_IMAGE_BYTES, Math.ceil(size / 4096) * 4096);
}

/** Where an instance's volumes are: the images, and the paths they mount on (paths.ts). */
export interface InstanceVolumePaths {
  volumesDir: string;
  instanceId: string;
  /** Mount point of the storage volume (`/storage` in the container). */
  storageDir: string;
  /** The state file; its directory is the state volume's mount point. */
  stateFile: string;
}

function imagePaths(paths: InstanceVolumePaths) {
  return {
    storageImage: join(paths.volumesDir, `${paths.instanceId}-storage.img`),
    stateImage: join(paths.volumesDir, `${paths.instanceId}-state.img`),
    stateMount: dirname(paths.stateFile),
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Create (once) and mount (when not mounted) one sized ext4 volume owned by uid:gid. */
async function ensureVolume(image: string, mountPoint: string, limit: number, owner: { uid: number; gid: number }) {
  await mkdir(mountPoint, { recursive: true });
  if (await isMountPoint(mountPoint)) return;
  try {
    if (!(await exists(image))) {
      await runProgram('truncate', ['-s', String(imageSizeFor(limit)), `${image}.tmp`]);
      // No reserved blocks and no journal: the whole image is the instance's data.
      await runProgram('mkfs.ext4', [
        '-q',
        '-F',
        '-m',
        '0',
        '-O',
        '^has_journal',
        '-i',
        '16384',
        '-E',
        `root_owner=${owner.uid}:${owner.gid}`,
        `${image}.tmp`,
      ]);
      await runProgram('mv', [`${image}.tmp`, image]);
    }
    await runProgram('mount', ['-o', 'loop,nosuid,nodev', image, mountPoint]);
  } catch (cause) {
    await rm(`${image}.tmp`, { force: true });
    throw new AgentError('volume-failed', `preparing the ${limit}-byte volume ${image}: ${(cause as Error).message}`, {
      cause,
    });
  }
  // The owner may change (an instance recreated with another UID): the root belongs to it.
  await chown(mountPoint, owner.uid, owner.gid);
}

/**
 * Make the instance's storage directory and state file exist, on volumes of their limits when
 * the service has limits (plain directories/files on the agent's storage otherwise, e.g.
 * `skipResourceLimits`). Returns the state file path to bind on `/state.dat`.
 */
export async function prepareInstanceVolumes(
  input: InstanceVolumePaths & {
    storageLimit?: number;
    stateLimit?: number;
    isLimited: boolean;
    uid: number;
    gid: number;
  },
): Promise<{ stateFile?: string; storageDir?: string }> {
  const paths = imagePaths(input);
  const owner = { uid: input.uid, gid: input.gid };
  await mkdir(input.volumesDir, { recursive: true });
  const result: { stateFile?: string; storageDir?: string } = {};
  if ((input.storageLimit ?? 0) > 0) {
    if (input.isLimited) await ensureVolume(paths.storageImage, input.storageDir, input.storageLimit ?? 0, owner);
    else await mkdir(input.storageDir, { recursive: true });
    await chown(input.storageDir, owner.uid, owner.gid);
    result.storageDir = input.storageDir;
  }
  if ((input.stateLimit ?? 0) > 0) {
    if (input.isLimited) await ensureVolume(paths.stateImage, paths.stateMount, input.stateLimit ?? 0, owner);
    else await mkdir(paths.stateMount, { recursive: true });
    await writeFile(input.stateFile, '', { flag: 'a' });
    await chown(input.stateFile, owner.uid, owner.gid);
    result.stateFile = input.stateFile;
  }
  return result;
}

async function unmountIfMounted(mountPoint: string): Promise<void> {
  if (!(await isMountPoint(mountPoint))) return;
  // `mount -o loop` set the loop device to detach itself when unmounted.
  await runProgram('umount', [mountPoint]).catch(() => runProgram('umount', ['-l', mountPoint]));
}

/** Unmount and delete an instance's volumes and their data (the instance is being removed). */
export async function removeInstanceVolumes(input: InstanceVolumePaths): Promise<void> {
  const paths = imagePaths(input);
  await unmountIfMounted(input.storageDir);
  await unmountIfMounted(paths.stateMount);
  await rm(input.storageDir, { recursive: true, force: true });
  await rm(paths.stateMount, { recursive: true, force: true });
  await rm(paths.storageImage, { force: true });
  await rm(paths.stateImage, { force: true });
}

/** Unmount every volume under the storage and state directories (agent teardown); the images stay. */
export async function unmountAllVolumes(storageRoot: string, stateRoot: string): Promise<void> {
  for (const root of [storageRoot, stateRoot])
    for (const entry of await readdir(root).catch(() => [] as string[])) await unmountIfMounted(join(root, entry));
}

/** Bytes free for new data on the filesystem holding `path` (for the admission check). */
export async function readFreeBytes(path: string): Promise<number> {
  const info = await statfs(path);
  return info.bavail * info.bsize;
}
