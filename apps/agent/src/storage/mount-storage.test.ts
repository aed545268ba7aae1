import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runProgram } from '../run-program.js';
import { ensureStorageMounted, isMountPoint, readMountInfo } from './mount-storage.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('ensureStorageMounted', () => {
  let dir = '';
  afterEach(async () => {
    if (await isMountPoint(join(dir, 'storage'))) await runProgram('umount', [join(dir, 'storage')]);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a directory on the host root filesystem without a size', async () => {
    dir = await mkdtemp(join(tmpdir(), 'storage-'));
    await expect(ensureStorageMounted(join(dir, 'storage'))).rejects.toMatchObject({ code: 'storage-not-separate' });
  });

  it('mounts a sized tmpfs once, and leaves an existing mount alone', async () => {
    dir = await mkdtemp(join(tmpdir(), 'storage-'));
    const storage = join(dir, 'storage');
    expect(await ensureStorageMounted(storage, { size: '16m' })).toEqual({ mounted: true });
    const mount = (await readMountInfo()).find((entry) => entry.mountPoint === storage);
    expect(mount?.fsType).toBe('tmpfs');
    expect(await ensureStorageMounted(storage, { size: '16m' })).toEqual({ mounted: false });
  });

  it('loop-mounts an ext4 image, creating it when missing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'storage-'));
    const storage = join(dir, 'storage');
    expect(await ensureStorageMounted(storage, { size: '32M', image: join(dir, 'storage.img') })).toEqual({
      mounted: true,
    });
    expect((await readMountInfo()).find((entry) => entry.mountPoint === storage)?.fsType).toBe('ext4');
  });
});
