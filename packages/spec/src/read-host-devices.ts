import { stat } from 'node:fs/promises';
import { SpecError } from './spec-error.js';
import type { HostDevice } from './types.js';

/** Split a Linux `dev_t` (glibc encoding) into major and minor numbers. */
export function splitDeviceNumber(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn & 0xffff_ffffn);
  return { major: Number(major), minor: Number(minor) };
}

/**
 * Stat host device nodes for `RuntimeSpecInput.hostDevices` (the generator itself does no
 * I/O). Paths that do not exist are left out, so the generator reports them by device name;
 * a path that exists but is not a device node is an error.
 */
export async function readHostDevices(paths: readonly string[]): Promise<Record<string, HostDevice>> {
  const devices: Record<string, HostDevice> = {};
  for (const path of new Set(paths)) {
    let info;
    try {
      info = await stat(path, { bigint: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new SpecError('unknown-device', `reading host device ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!info.isCharacterDevice() && !info.isBlockDevice()) {
      throw new SpecError(
        'unknown-device',
        `reading host device ${path}: it is not a device node; fix the unit's device list`,
      );
    }
    devices[path] = {
      type: info.isCharacterDevice() ? 'c' : 'b',
      ...splitDeviceNumber(info.rdev),
      fileMode: Number(info.mode & 0o777n),
      uid: Number(info.uid),
      gid: Number(info.gid),
    };
  }
  return devices;
}
