import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertItem } from '../src/formats/monitoring.js';
import type { Agent } from '../src/index.js';
import { createInstanceId } from '../src/index.js';
import { computeNetworkTag } from '../src/network/network-state.js';
import { buildTestImage, createTestBed, reconcileUntil, type TestImage } from './helpers.js';
import { findLeftovers, networkServiceYaml, providerDesiredStatus } from './network-helpers.js';

const isRoot = process.getuid?.() === 0;
const NOTES = '55555555-5555-4555-8555-555555555555';
const HUGE = '5a5a5a5a-5a5a-4a5a-8a5a-5a5a5a5a5a5a';
const STORAGE_LIMIT = 2_000_000;

/** Fill a file until the filesystem refuses; print how far it got and the errno. */
const FILL = `
import os, time
def fill(path):
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while True:
            written += os.write(fd, b"x" * 65536)
    except OSError as error:
        return written, error.errno
    finally:
        os.close(fd)
`;

const V1 = `${FILL}
with open("/storage/rows.txt", "a") as rows:
    rows.write("row written by 1.0.0\\n")
for name, path in (("storage", "/storage/fill.bin"), ("tmp", "/tmp/fill.bin"), ("state", "/state.dat")):
    written, errno = fill(path)
    print("%s full after %d bytes errno %d" % (name, written, errno), flush=True)
print("still running", flush=True)
while True:
    time.sleep(1)
`;

const V2 = `
import os, time
os.remove("/storage/fill.bin")
print("rows: " + open("/storage/rows.txt").read().strip(), flush=True)
while True:
    time.sleep(1)
`;

const QUOTAS = `    quotas:
        storage: 2MB
        state: 64kB
        temp: 1MB
    alerts:
        storage:
            minTime: 'PT0S'
            minThreshold: 10
            maxThreshold: 80
`;

async function waitForLog(
  agent: Agent,
  instanceId: string,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(agent.logPath(instanceId), 'utf8').catch(() => '');
    const match = pattern.exec(text);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in the log:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!isRoot).sequential('storage and state quotas (real runc, loop-mounted ext4)', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  let agent: Agent;
  const images: Record<string, TestImage> = {};
  const id = createInstanceId(NOTES, 'subject-1', 0);

  beforeAll(async () => {
    bed = await createTestBed('quotas');
    for (const [version, script] of [
      ['1.0.0', V1],
      ['1.1.0', V2],
    ] as const)
      images[version] = await buildTestImage(
        join(bed.root, version),
        networkServiceYaml({ uid: NOTES, version, script: 'main.py', extra: QUOTAS }),
        { 'srv/app/main.py': script },
      );
    for (const [name, version, extra] of [
      ['huge', '1.0.0', '    quotas:\n        storage: 4GB\n'],
      // skipResourceLimits is for pre-release versions only.
      ['huge-unlimited', '1.1.0-beta.1', '    isResourceLimits: false\n    quotas:\n        storage: 4GB\n'],
    ] as const)
      images[name] = await buildTestImage(
        join(bed.root, name),
        networkServiceYaml({ uid: HUGE, version, script: 'main.py', extra }),
        { 'srv/app/main.py': 'import time\nprint("huge up", flush=True)\ntime.sleep(3600)\n' },
      );
    agent = await bed.openAgent();
  }, 120_000);

  afterAll(async () => {
    await bed?.cleanup();
    if (bed)
      expect(await findLeftovers(computeNetworkTag(bed.storageDir), bed.root)).toMatchObject({ mounts: [], loops: [] });
  });

  it('fails a write past the storage quota with ENOSPC; the service keeps running', async () => {
    await agent.acceptTarget(
      providerDesiredStatus([{ id: NOTES, version: '1.0.0', providerId: 'p', image: images['1.0.0']! }]),
    );
    await reconcileUntil(agent, (pass) => pass.status.instances[0]?.status === 'active', 60_000);
    const storage = await waitForLog(agent, id, /storage full after (\d+) bytes errno (\d+)/);
    expect(Number(storage[2])).toBe(28); // ENOSPC
    // About the quota (the volume's metadata makes it a few percent either way), nowhere near the agent's 512 MB.
    expect(Number(storage[1])).toBeGreaterThan(STORAGE_LIMIT * 0.95);
    expect(Number(storage[1])).toBeLessThan(STORAGE_LIMIT * 1.05);
    const tmp = await waitForLog(agent, id, /tmp full after (\d+) bytes errno (\d+)/);
    expect(Number(tmp[2])).toBe(28);
    // tmpfs sizes are whole pages: 1 MB is 245 pages of 4 KiB.
    expect(Number(tmp[1])).toBeLessThanOrEqual(Math.ceil(1_000_000 / 4096) * 4096);
    expect(Number(tmp[1])).toBeGreaterThan(900_000);
    // The state volume is the smallest image (its 64 kB quota is below ext4's useful minimum).
    const state = await waitForLog(agent, id, /state full after (\d+) bytes errno (\d+)/);
    expect(Number(state[2])).toBe(28);
    expect(Number(state[1])).toBeLessThan(256 * 1024);
    await waitForLog(agent, id, /still running/);
    const pass = await agent.reconcileOnce();
    expect(pass.status.instances[0]?.status).toBe('active');
    // /storage is a filesystem of its own, mounted from the instance's image.
    const mounts = await readFile('/proc/self/mountinfo', 'utf8');
    expect(mounts).toContain(` ${join(bed.storageDir, 'storage', id)} `);
  }, 90_000);

  it('raises the storage alert', async () => {
    const deadline = Date.now() + 20_000;
    const alerts: Extract<AlertItem, { tag: 'instanceQuotaAlert' }>[] = [];
    while (Date.now() < deadline) {
      await agent.reconcileOnce();
      await agent.monitor.sample();
      for (const alert of agent.takeAlerts())
        if (alert.tag === 'instanceQuotaAlert' && alert.parameter === 'storage') alerts.push(alert);
      if (alerts.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(alerts[0]).toMatchObject({ serviceId: NOTES, parameter: 'storage', state: 'raise' });
    expect(alerts[0]!.value).toBeGreaterThan(STORAGE_LIMIT * 0.8);
  }, 30_000);

  it('keeps the data across an update of the service', async () => {
    await agent.acceptTarget(
      providerDesiredStatus([{ id: NOTES, version: '1.1.0', providerId: 'p', image: images['1.1.0']! }]),
    );
    await reconcileUntil(
      agent,
      (pass) => pass.status.instances[0]?.version === '1.1.0' && pass.status.instances[0]?.status === 'active',
      60_000,
    );
    await waitForLog(agent, id, /rows: row written by 1\.0\.0/);
  }, 90_000);

  it('removes the volumes with the service', async () => {
    await agent.acceptTarget({ messageType: 'desiredStatus', services: [], instances: [] });
    await reconcileUntil(
      agent,
      (pass) => pass.status.instances.length === 0 && pass.status.services.length === 0,
      30_000,
    );
    expect(await findLeftovers(computeNetworkTag(bed.storageDir), bed.root)).toMatchObject({ mounts: [], loops: [] });
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(join(bed.storageDir, 'volumes'))).toEqual([]);
  }, 40_000);

  it('refuses to install a version whose storage does not fit: "not enough storage space"', async () => {
    await agent.acceptTarget(providerDesiredStatus([{ id: HUGE, providerId: 'p', image: images.huge! }]));
    const pass = await reconcileUntil(agent, (result) => result.status.services[0]?.status === 'error', 30_000);
    // 4 GB of storage reserves 2 GB (half the quota, nothing requested); the test bed has 512 MB.
    expect(pass.status.services[0]?.errorInfo?.message).toMatch(/not enough storage space: it needs 2000\.\d MB/);
    expect(pass.status.instances.every((instance) => instance.status !== 'active')).toBe(true);
  }, 40_000);

  it('installs it with skipResourceLimits (isResourceLimits: false), without a sized volume', async () => {
    await agent.acceptTarget(
      providerDesiredStatus([{ id: HUGE, version: '1.1.0-beta.1', providerId: 'p', image: images['huge-unlimited']! }]),
    );
    await reconcileUntil(agent, (pass) => pass.status.instances[0]?.status === 'active', 60_000);
    const hugeId = createInstanceId(HUGE, 'subject-1', 0);
    const mounts = await readFile('/proc/self/mountinfo', 'utf8');
    expect(mounts).not.toContain(` ${join(bed.storageDir, 'storage', hugeId)} `);
    await waitForLog(agent, hugeId, /huge up/);
  }, 60_000);
});
