import { access, mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runProgram } from '../run-program.js';
import { AgentError } from '../errors.js';

/** One line of /proc/self/mountinfo, the fields we use. */
export interface MountInfo {
  mountPoint: string;
  fsType: string;
  source: string;
}

/** Undo the octal escapes (\040 for space …) of mountinfo paths. */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export async function readMountInfo(): Promise<MountInfo[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const fields = line.split(' ');
      const separator = fields.indexOf('-');
      return {
        mountPoint: unescapeMountPath(fields[4] ?? ''),
        fsType: fields[separator + 1] ?? '',
        source: fields[separator + 2] ?? '',
      };
    });
}

export async function isMountPoint(path: string): Promise<boolean> {
  const absolute = resolve(path);
  return (await readMountInfo()).some((mount) => mount.mountPoint === absolute);
}

export interface StorageOptions {
  /** Size of the tmpfs to mount when `directory` is not a mount point yet ("512m", bytes). */
  size?: string | number;
  /** Loop-mount this ext4 image instead of a tmpfs (created with `size` when missing). */
  image?: string;
}

/**
 * Make sure the agent's storage is a filesystem of its own (overlayfs needs the layers apart
 * from the host root; a device has a partition for it). Mounts a tmpfs of `size`, or a
 * loop-mounted ext4 `image`, when the directory is not a mount point already.
 */
export async function ensureStorageMounted(
  directory: string,
  options: StorageOptions = {},
): Promise<{ mounted: boolean }> {
  const absolute = resolve(directory);
  await mkdir(absolute, { recursive: true });
  if (await isMountPoint(absolute)) return { mounted: false };
  if (options.size === undefined && options.image === undefined) {
    throw new AgentError(
      'storage-not-separate',
      `checking storage ${absolute}: it is not a separate filesystem; mount a partition there, or pass --storage-size (tmpfs) or --storage-image (loop ext4)`,
    );
  }
  try {
    if (options.image) {
      const image = resolve(options.image);
      const exists = await access(image).then(
        () => true,
        () => false,
      );
      if (!exists) {
        await runProgram('truncate', ['-s', String(options.size ?? '512M'), image]);
        await runProgram('mkfs.ext4', ['-q', '-F', image]);
      }
      await runProgram('mount', ['-o', 'loop', image, absolute]);
    } else {
      await runProgram('mount', [
        '-t',
        'tmpfs',
        '-o',
        `size=${String(options.size)},mode=0711`,
        'openaos-storage',
        absolute,
      ]);
    }
  } catch (cause) {
    throw new AgentError(
      'mount-failed',
      `mounting storage at ${absolute}: ${(cause as Error).message}; run the agent as root`,
      { cause },
    );
  }
  return { mounted: true };
}
