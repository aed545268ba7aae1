import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstanceId } from '../src/index.js';
import {
  buildTestImage,
  createTestBed,
  findCgroupDirs,
  desiredStatus,
  readInstancePid,
  runCli,
  SERVICE_A,
  SUBJECT,
  serviceYaml,
  spawnDaemon,
  type TestImage,
} from './helpers.js';

const isRoot = process.getuid?.() === 0;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!isRoot).sequential('aos-agent apply --wait through the daemon', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  let daemon: ReturnType<typeof spawnDaemon> | undefined;
  let good: TestImage;
  let broken: TestImage;
  let older: TestImage;
  const instanceId = createInstanceId(SERVICE_A, SUBJECT, 0);

  beforeAll(async () => {
    bed = await createTestBed('wait');
    good = await buildTestImage(
      join(bed.root, 'good'),
      serviceYaml({ uid: SERVICE_A, version: '1.0.0', cmd: 'python3 -u /srv/app/main.py' }),
      { 'srv/app/main.py': 'import time\nprint("up", flush=True)\ntime.sleep(3600)\n' },
    );
    // Exits at start: `active` for a moment after each start, then rolled back. A wide
    // startInterval so the burst counts even when a loaded machine starts containers slowly.
    broken = await buildTestImage(
      join(bed.root, 'broken'),
      serviceYaml({
        uid: SERVICE_A,
        version: '1.1.0',
        cmd: 'python3 -u /srv/app/main.py',
        runParameters: '        startInterval: PT20S\n        startBurst: 2\n        restartInterval: PT0.3S',
      }),
      { 'srv/app/main.py': 'import sys, time\nprint("broken", flush=True)\ntime.sleep(0.3)\nsys.exit(3)\n' },
    );
    older = await buildTestImage(
      join(bed.root, 'older'),
      serviceYaml({ uid: SERVICE_A, version: '0.9.0', cmd: 'python3 -u /srv/app/main.py' }),
      { 'srv/app/main.py': 'import time\nprint("up 0.9", flush=True)\ntime.sleep(3600)\n' },
    );
    daemon = spawnDaemon(bed.storageDir, bed.cgroupParent);
  }, 60_000);
  afterAll(async () => {
    daemon?.kill('SIGKILL');
    await daemon?.catch(() => undefined);
    await bed?.cleanup();
  });

  const apply = async (name: string, image: TestImage, version: string, isRollback = false) => {
    const file = join(bed.root, `${name}.json`);
    const desired = desiredStatus([{ id: SERVICE_A, version, image }]);
    if (isRollback) desired.services = desired.services?.map((service) => ({ ...service, isRollback }));
    await writeFile(file, JSON.stringify(desired));
    return runCli(['apply', file, '--storage-dir', bed.storageDir, '--wait', '--timeout', '60']);
  };

  it('returns 0 once a good version is committed', async () => {
    const result = await apply('good', good, '1.0.0');
    expect(result.stdout).toMatch(/1\.0\.0\s+active/);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/1\.0\.0\s+active/);
    const records = JSON.parse(await readFile(join(bed.storageDir, 'agent/records.json'), 'utf8')) as {
      services: Record<string, { activeDigest?: string }>;
    };
    expect(records.services[SERVICE_A]?.activeDigest).toBe(good.manifestDigest);
  });

  it('reports a broken update as failed (exit 2, with the reason) once rolled back, and the previous version runs', async () => {
    const result = await apply('broken', broken, '1.1.0');
    expect(result.stdout).toMatch(
      new RegExp(
        `update of ${SERVICE_A} to 1\\.1\\.0 failed: rolled back to 1\\.0\\.0: start burst exceeded \\(2 failed starts in a row\\), last exited with code 3`,
      ),
    );
    expect(result.exitCode).toBe(2);
    const status = await runCli(['status', '--storage-dir', bed.storageDir, '--json']);
    const parsed = JSON.parse(status.stdout) as { instances: { version: string; status: string }[] };
    expect(parsed.instances).toEqual([expect.objectContaining({ version: '1.0.0', status: 'active' })]);
    expect(isAlive(await readInstancePid(bed.storageDir, instanceId))).toBe(true);
    expect(
      await readFile(join(bed.storageDir, 'instances', instanceId, 'logs', 'current.log'), 'utf8').catch(() => ''),
    ).toContain('up');
  });

  it('refuses a downgrade not marked as a rollback (exit 2, the reason, 1.0.0 untouched), and takes it when marked', async () => {
    const pid = await readInstancePid(bed.storageDir, instanceId);
    const refused = await apply('older', older, '0.9.0');
    expect(refused.stdout).toMatch(
      new RegExp(
        `update of ${SERVICE_A} to 0\\.9\\.0 failed: downgrade from 1\\.0\\.0 to 0\\.9\\.0 refused: the desired status does not mark it as a rollback`,
      ),
    );
    expect(refused.exitCode).toBe(2);
    expect(await readInstancePid(bed.storageDir, instanceId)).toBe(pid);
    const status = JSON.parse((await runCli(['status', '--storage-dir', bed.storageDir, '--json'])).stdout) as {
      instances: { version: string; status: string }[];
    };
    expect(status.instances).toEqual([expect.objectContaining({ version: '1.0.0', status: 'active' })]);

    const rolledBack = await apply('older-rollback', older, '0.9.0', true);
    expect(rolledBack.stdout).toMatch(/0\.9\.0\s+active/);
    expect(rolledBack.exitCode).toBe(0);
    expect(await readInstancePid(bed.storageDir, instanceId)).not.toBe(pid);
  });

  it('removes the instance cgroups, and the cgroup parent when the daemon stops with nothing left', async () => {
    expect((await findCgroupDirs(`${bed.cgroupParent}/${instanceId}`)).length).toBeGreaterThan(0);
    const file = join(bed.root, 'empty.json');
    await writeFile(file, JSON.stringify({ messageType: 'desiredStatus', services: [], instances: [] }));
    const result = await runCli(['apply', file, '--storage-dir', bed.storageDir, '--wait', '--timeout', '30']);
    expect(result.exitCode).toBe(0);
    expect(await findCgroupDirs(`${bed.cgroupParent}/${instanceId}`)).toEqual([]);
    expect((await findCgroupDirs(bed.cgroupParent)).length).toBeGreaterThan(0);
    daemon!.kill('SIGTERM');
    const exited = await daemon!;
    daemon = undefined;
    expect(exited.all).toMatch(/removed the cgroup parent/);
    expect(await findCgroupDirs(bed.cgroupParent)).toEqual([]);
  });
});
