import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstanceId } from '../src/index.js';
import {
  buildTestImage,
  createTestBed,
  desiredStatus,
  findCgroupDirs,
  readInstancePid,
  reconcileUntil,
  SERVICE_A,
  SERVICE_B,
  SUBJECT,
  serviceYaml,
  waitUntil,
  type TestImage,
} from './helpers.js';

const isRoot = process.getuid?.() === 0;
const SLEEPER = 'import time\nprint("up", flush=True)\ntime.sleep(3600)\n';

/** Alive and not a zombie waiting for its parent. */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}

describe.skipIf(!isRoot).sequential('containers the agent lost the state of', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  let imageA: TestImage;
  let imageB: TestImage;
  const idA = createInstanceId(SERVICE_A, SUBJECT, 0);
  const idB = createInstanceId(SERVICE_B, SUBJECT, 0);

  beforeAll(async () => {
    bed = await createTestBed('orphans');
    const build = (name: string, uid: string) =>
      buildTestImage(join(bed.root, name), serviceYaml({ uid, version: '1.0.0', cmd: 'python3 -u /srv/app/main.py' }), {
        'srv/app/main.py': SLEEPER,
      });
    imageA = await build('a', SERVICE_A);
    imageB = await build('b', SERVICE_B);
  }, 60_000);
  afterAll(async () => {
    await bed?.cleanup();
  });

  it('kills at start what runs in cgroups under its parent that no record claims, removes those cgroups in every hierarchy, and leaves recorded containers running', async () => {
    const target = desiredStatus([
      { id: SERVICE_A, version: '1.0.0', image: imageA },
      { id: SERVICE_B, version: '1.0.0', image: imageB },
    ]);
    const first = await bed.openAgent();
    await first.acceptTarget(target);
    await reconcileUntil(first, (pass) => pass.status.instances.every((instance) => instance.status === 'active'));
    const pidA = await readInstancePid(bed.storageDir, idA);
    const pidB = await readInstancePid(bed.storageDir, idB);
    first.stop();

    // Lose everything the agent knew of A, as an unmounted storage loses it for all containers:
    // runc's state of it, its record, its instance dir (rootfs unmounted first). Only A's, so that
    // one restart shows both sides. A keeps running, in its cgroups.
    await rm(join(bed.storageDir, 'runc', idA), { recursive: true, force: true });
    const recordsPath = join(bed.storageDir, 'agent', 'records.json');
    const records = JSON.parse(await readFile(recordsPath, 'utf8')) as { instances: Record<string, unknown> };
    delete records.instances[idA];
    await writeFile(recordsPath, JSON.stringify(records));
    await execa('umount', ['-l', join(bed.storageDir, 'instances', idA, 'rootfs')]);
    await rm(join(bed.storageDir, 'instances', idA), { recursive: true, force: true });
    expect(await isRunning(pidA)).toBe(true);
    expect((await findCgroupDirs(`${bed.cgroupParent}/${idA}`)).length).toBeGreaterThan(0);

    const restarted = await bed.openAgent();
    expect(await findCgroupDirs(`${bed.cgroupParent}/${idA}`)).toEqual([]);
    await waitUntil(async () => !(await isRunning(pidA)), 5000, 'the orphaned container to die');
    expect(await isRunning(pidB)).toBe(true);
    expect((await findCgroupDirs(`${bed.cgroupParent}/${idB}`)).length).toBeGreaterThan(0);

    // The target still wants A: it starts afresh in a clean cgroup; B was never restarted.
    await reconcileUntil(restarted, (pass) => pass.status.instances.every((instance) => instance.status === 'active'));
    expect(await readInstancePid(bed.storageDir, idA)).not.toBe(pidA);
    expect(await readInstancePid(bed.storageDir, idB)).toBe(pidB);
  });
});
