import { describe, expect, it } from 'vitest';
import { findExistingHostPaths } from './find-existing-host-paths.js';
import { readHostDevices, splitDeviceNumber } from './read-host-devices.js';

describe('readHostDevices', () => {
  it('reads /dev/null as character device 1:3 and skips missing nodes', async () => {
    const devices = await readHostDevices(['/dev/null', '/dev/openaos-missing']);
    expect(devices).toEqual({ '/dev/null': { type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 } });
  });

  it('refuses a path that is not a device node', async () => {
    await expect(readHostDevices(['/etc/hostname'])).rejects.toMatchObject({ code: 'unknown-device' });
  });

  it.each([
    { rdev: 0x0103n, expected: { major: 1, minor: 3 } },
    { rdev: 0x0700n, expected: { major: 7, minor: 0 } },
    // major 259, minor 256: the minor bits above 0xff live from bit 20 up
    { rdev: (0x103n << 8n) | (0x100n << 12n), expected: { major: 259, minor: 256 } },
  ])('splits $rdev', ({ rdev, expected }) => {
    expect(splitDeviceNumber(rdev)).toEqual(expected);
  });
});

describe('findExistingHostPaths', () => {
  it('keeps the existing paths in order', async () => {
    expect(await findExistingHostPaths(['/etc', '/openaos-missing', '/dev/null'])).toEqual(['/etc', '/dev/null']);
  });
});
