import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, PassResult } from '../src/index.js';
import { createInstanceId } from '../src/index.js';
import {
  buildTestImage,
  createTestBed,
  findCgroupDirs,
  desiredStatus,
  readInstancePid,
  reconcileUntil,
  SERVICE_A,
  SERVICE_B,
  SUBJECT,
  serviceYaml,
  type TestImage,
} from './helpers.js';

const isRoot = process.getuid?.() === 0;
const SLEEPER = 'import time\nprint("up", flush=True)\ntime.sleep(3600)\n';

describe.skipIf(!isRoot).sequential('agent limits, updates and rollback', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  let agent: Agent;
  const images: Record<string, TestImage> = {};
  const idA = createInstanceId(SERVICE_A, SUBJECT, 0);
  const idB = createInstanceId(SERVICE_B, SUBJECT, 0);

  beforeAll(async () => {
    bed = await createTestBed('updates');
    const build = async (
      name: string,
      uid: string,
      version: string,
      script: string,
      mem = '64MB',
      runParameters?: string,
    ) => {
      images[name] = await buildTestImage(
        join(bed.root, name),
        serviceYaml({
          uid,
          version,
          cmd: 'python3 -u /srv/app/main.py',
          mem,
          ...(runParameters ? { runParameters } : {}),
        }),
        { 'srv/app/main.py': script },
      );
    };
    await build('a1', SERVICE_A, '1.0.0', SLEEPER.replace('"up"', '"up v1.0"'));
    await build('a2', SERVICE_A, '1.1.0', SLEEPER.replace('"up"', '"up v1.1"'));
    // A wide startInterval: the burst counts even when a loaded machine starts containers slowly.
    await build(
      'a3',
      SERVICE_A,
      '1.2.0',
      'import sys\nprint("broken", flush=True)\nsys.exit(3)\n',
      '64MB',
      '        startInterval: PT20S\n        startBurst: 2\n        restartInterval: PT0.3S',
    );
    await build('b1', SERVICE_B, '1.0.0', SLEEPER);
    await build('hog', SERVICE_B, '2.0.0', 'x = []\nwhile True:\n    x.append(bytearray(1 << 20))\n', '32MB');
    agent = await bed.openAgent();
  });
  afterAll(async () => {
    await bed?.cleanup();
  });

  it('runs two services and commits them once stable', async () => {
    await agent.acceptTarget(
      desiredStatus([
        { id: SERVICE_A, version: '1.0.0', image: images.a1! },
        { id: SERVICE_B, version: '1.0.0', image: images.b1! },
      ]),
    );
    // Commit happens after startInterval (1 s) of uninterrupted running — possibly already while
    // the other service's instance is still being started (networked, on a loaded machine).
    let isCommitted = false;
    const seeCommit = (pass: PassResult) =>
      (isCommitted ||= pass.steps.some((step) => step.kind === 'commit-version' && step.serviceId === SERVICE_A));
    await reconcileUntil(agent, (pass) => {
      seeCommit(pass);
      return (
        pass.status.instances.length === 2 && pass.status.instances.every((instance) => instance.status === 'active')
      );
    });
    await reconcileUntil(agent, seeCommit, 5000);
  });

  it('updates one service without touching the other', async () => {
    const pidB = await readInstancePid(bed.storageDir, idB);
    const pidA = await readInstancePid(bed.storageDir, idA);
    await agent.acceptTarget(
      desiredStatus([
        { id: SERVICE_A, version: '1.1.0', image: images.a2! },
        { id: SERVICE_B, version: '1.0.0', image: images.b1! },
      ]),
    );
    const pass = await reconcileUntil(
      agent,
      (result) =>
        result.status.instances.find((instance) => instance.serviceId === SERVICE_A)?.version === '1.1.0' &&
        result.status.instances.every((instance) => instance.status === 'active'),
    );
    expect(pass.status.services).toEqual(
      expect.arrayContaining([{ id: SERVICE_A, version: '1.1.0', status: 'installed' }]),
    );
    expect(await readInstancePid(bed.storageDir, idB)).toBe(pidB);
    expect(await readInstancePid(bed.storageDir, idA)).not.toBe(pidA);
    // Once 1.1.0 is committed (after startInterval running), 1.0.0's layer is deleted.
    const a1Layer = images.a1!.layerDigest.replace('sha256:', '');
    for (
      let attempt = 0;
      attempt < 100 && (await readdir(join(bed.storageDir, 'layers'))).includes(a1Layer);
      attempt += 1
    ) {
      await agent.reconcileOnce();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const layers = await readdir(join(bed.storageDir, 'layers'));
    expect(layers).not.toContain(images.a1!.layerDigest.replace('sha256:', ''));
    expect(layers).toContain(images.a2!.layerDigest.replace('sha256:', ''));
  });

  it('rolls a broken update back to the running version and says why', async () => {
    await agent.acceptTarget(
      desiredStatus([
        { id: SERVICE_A, version: '1.2.0', image: images.a3! },
        { id: SERVICE_B, version: '1.0.0', image: images.b1! },
      ]),
    );
    const pidB = await readInstancePid(bed.storageDir, idB);
    const pass = await reconcileUntil(
      agent,
      (result) =>
        result.status.services.some(
          (service) => service.id === SERVICE_A && service.version === '1.2.0' && service.status === 'error',
        ) && result.status.instances.find((instance) => instance.serviceId === SERVICE_A)?.status === 'active',
      20_000,
    );
    const rejected = pass.status.services.find((service) => service.version === '1.2.0')!;
    expect(rejected.errorInfo?.message).toMatch(
      /rolled back to 1\.1\.0: start burst exceeded \(2 failed starts in a row\), last exited with code 3/,
    );
    expect(rejected.errorInfo?.exitCode).toBe(3);
    expect(pass.status.instances.find((instance) => instance.serviceId === SERVICE_A)).toMatchObject({
      version: '1.1.0',
      status: 'active',
    });
    expect(await readInstancePid(bed.storageDir, idB)).toBe(pidB);
  });

  it('reports an OOM kill at the memory limit', async () => {
    await agent.acceptTarget(
      desiredStatus([
        { id: SERVICE_A, version: '1.1.0', image: images.a2! },
        { id: SERVICE_B, version: '2.0.0', image: images.hog! },
      ]),
    );
    const pass = await reconcileUntil(
      agent,
      (result) =>
        /OOM/.test(
          result.status.instances.find((instance) => instance.serviceId === SERVICE_B)?.errorInfo?.message ?? '',
        ),
      20_000,
    );
    const hog = pass.status.instances.find((instance) => instance.serviceId === SERVICE_B)!;
    expect(hog.version).toBe('2.0.0');
    expect(hog.errorInfo?.exitCode).toBe(137);
  });

  it('removes a service and its instances', async () => {
    await agent.acceptTarget(desiredStatus([{ id: SERVICE_A, version: '1.1.0', image: images.a2! }]));
    const pass = await reconcileUntil(
      agent,
      (result) =>
        result.status.instances.length === 1 &&
        !result.steps.some((step) => step.kind === 'remove-service-version') &&
        result.steps.length === 0,
    );
    expect(pass.status.services).toEqual([{ id: SERVICE_A, version: '1.1.0', status: 'installed' }]);
    expect(await readdir(join(bed.storageDir, 'instances'))).toEqual([idA]);
    // No cgroup dir of the removed instance is left in any hierarchy; the remaining one has its own.
    expect(await findCgroupDirs(`${bed.cgroupParent}/${idB}`)).toEqual([]);
    expect((await findCgroupDirs(`${bed.cgroupParent}/${idA}`)).length).toBeGreaterThan(0);
    const layers = await readdir(join(bed.storageDir, 'layers'));
    expect(layers).toEqual([images.a2!.layerDigest.replace('sha256:', '')]);
  });
});
