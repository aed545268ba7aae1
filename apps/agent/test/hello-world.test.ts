import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { packDirectory, readTarEntries } from '@openaos/archive';
import { loadServiceConfig } from '@openaos/config';
import { BlobStore, buildServiceImage, writeImageLayout } from '@openaos/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstanceId } from '../src/index.js';
import {
  buildTestImage,
  createTestBed,
  desiredStatus,
  reconcileUntil,
  SERVICE_A,
  SUBJECT,
  serviceYaml,
} from './helpers.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot).sequential('agent runs hello world', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  beforeAll(async () => {
    bed = await createTestBed('hello');
  });
  afterAll(async () => {
    await bed?.cleanup();
  });

  it('installs, starts, logs, and reports active', async () => {
    const image = await buildTestImage(
      bed.root,
      serviceYaml({ uid: SERVICE_A, version: '1.0.0', cmd: 'python3 -u /srv/app/hello.py', mem: '64MB', cpu: 50 }),
      {
        'srv/app/hello.py':
          'import os, time, sys\nprint("hello world from", os.getuid(), os.getgid(), flush=True)\nprint(open("/sys/fs/cgroup/memory/memory.limit_in_bytes").read().strip(), open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read().strip(), flush=True)\nprint("sees", sorted(os.listdir("/")), flush=True)\ntime.sleep(3600)\n',
      },
    );
    const agent = await bed.openAgent();
    await agent.acceptTarget(desiredStatus([{ id: SERVICE_A, version: '1.0.0', image }]));
    const pass = await reconcileUntil(agent, (result) => result.status.instances[0]?.status === 'active');
    expect(pass.status.services).toEqual([{ id: SERVICE_A, version: '1.0.0', status: 'installed' }]);
    expect(pass.status.instances[0]).toMatchObject({
      serviceId: SERVICE_A,
      subjectId: SUBJECT,
      instance: 0,
      version: '1.0.0',
      status: 'active',
    });

    const log = agent.logPath(createInstanceId(SERVICE_A, SUBJECT, 0));
    let text = '';
    for (let attempt = 0; attempt < 50 && !text.includes('sees'); attempt += 1) {
      text = await readFile(log, 'utf8').catch(() => '');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(text).toMatch(/hello world from 5\d{3} 5\d{3}/);
    // 64 MB limit and 50 % of the unit's CPUs (quota = 100000 × cpus × 0.5).
    const [limit, quota] = text.split('\n')[1]!.split(' ');
    expect(Number(limit)).toBe(64 * 1000 * 1000);
    expect(Number(quota)).toBe(availableParallelism() * 50_000);
    // Only bin sbin lib lib64 usr of the host show through, plus the service tree and runc's mounts.
    expect(text).not.toMatch(/'home'|'root'|'work'|'var'/);
    expect(text).toMatch(/'usr'/);
    expect(text).toMatch(/'srv'/);

    // The monitor watches the running instance through its cgroup.
    await agent.monitor.sample();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await agent.monitor.sample();
    const usage = agent.readUsage(createInstanceId(SERVICE_A, SUBJECT, 0));
    expect(usage?.ram).toBeGreaterThan(1024 * 1024);
    expect(agent.takeMonitoringData().serviceInstances[0]).toMatchObject({
      serviceId: SERVICE_A,
      subjectId: SUBJECT,
      instance: 0,
    });
  });

  it('runs examples/hello-world: greets in its log and counts in its /storage', async () => {
    const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'hello-world');
    const config = await loadServiceConfig(join(example, 'meta', 'config.yaml'));
    const imageDir = join(bed.root, 'example-image');
    const store = new BlobStore(imageDir);
    const built = await buildServiceImage({
      config,
      entries: readTarEntries(packDirectory(join(example, 'src'))),
      created: '2026-11-25T00:00:00Z',
      store,
    });
    await writeImageLayout(store, built.manifestDigest, imageDir);
    const serviceId = config.publish.service_uid!;
    const agent = await bed.openAgent();
    await agent.acceptTarget({
      messageType: 'desiredStatus',
      services: [
        { id: serviceId, version: config.publish.version!, manifestDigest: built.manifestDigest, urls: [imageDir] },
      ],
      instances: [{ serviceId, subjectId: SUBJECT, priority: 0, numInstances: 1 }],
    });
    await reconcileUntil(agent, (result) => result.status.instances[0]?.status === 'active');
    const instanceId = createInstanceId(serviceId, SUBJECT, 0);
    let text = '';
    for (let attempt = 0; attempt < 50 && !text.includes('Hello from OpenAos #1'); attempt += 1) {
      text = await readFile(agent.logPath(instanceId), 'utf8').catch(() => '');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(text).toContain(`'AOS_INSTANCE_ID': '${instanceId}'`);
    expect(await readFile(join(bed.storageDir, 'storage', instanceId, 'hello-count.txt'), 'utf8')).toBe('1');
  });

  it('installs from an http(s) blob server (<url>/blobs/sha256/<hex>)', async () => {
    const image = await buildTestImage(
      join(bed.root, 'served'),
      serviceYaml({ uid: SERVICE_A, version: '2.0.0', cmd: 'python3 -u /srv/app/hello.py' }),
      {
        'srv/app/hello.py': 'import time\nprint("served hello", flush=True)\ntime.sleep(3600)\n',
      },
    );
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(request.url ?? '');
      const match = /^\/base\/blobs\/sha256\/([0-9a-f]{64})$/.exec(request.url ?? '');
      if (!match) return response.writeHead(404).end();
      createReadStream(join(image.directory, 'blobs/sha256', match[1]!))
        .on('error', () => response.writeHead(404).end())
        .pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`;
      const agent = await bed.openAgent();
      await agent.acceptTarget({
        messageType: 'desiredStatus',
        services: [{ id: SERVICE_A, version: '2.0.0', manifestDigest: image.manifestDigest, urls: [url] }],
        instances: [{ serviceId: SERVICE_A, subjectId: SUBJECT, priority: 0, numInstances: 1 }],
      });
      const pass = await reconcileUntil(
        agent,
        (result) => result.status.instances[0]?.status === 'active' && result.status.instances[0]?.version === '2.0.0',
      );
      expect(pass.status.services).toContainEqual({ id: SERVICE_A, version: '2.0.0', status: 'installed' });
      expect(requests).toContain(`/base/blobs/sha256/${image.manifestDigest.replace('sha256:', '')}`);
      expect(requests).toContain(`/base/blobs/sha256/${image.layerDigest.replace('sha256:', '')}`);
    } finally {
      server.close();
    }
  });

  it('rotates a chatty instance log within its cap while runc keeps writing', async () => {
    const image = await buildTestImage(
      join(bed.root, 'chatty'),
      serviceYaml({ uid: SERVICE_A, version: '3.0.0', cmd: 'python3 -u /srv/app/chatty.py' }),
      {
        'srv/app/chatty.py':
          'import time\nfor n in range(40):\n    print(f"line {n:04d} " + "x" * 8000, flush=True)\n    time.sleep(0.02)\nprint("done", flush=True)\ntime.sleep(3600)\n',
      },
    );
    const agent = await bed.openAgent({ logLimits: { maxBytes: 64 * 1024, files: 3 } });
    await agent.acceptTarget({
      messageType: 'desiredStatus',
      services: [{ id: SERVICE_A, version: '3.0.0', manifestDigest: image.manifestDigest, urls: [image.directory] }],
      instances: [{ serviceId: SERVICE_A, subjectId: SUBJECT, priority: 0, numInstances: 1 }],
    });
    const log = agent.logPath(createInstanceId(SERVICE_A, SUBJECT, 0));
    const sizes = async () =>
      Promise.all(
        ['', '.1', '.2', '.3'].map((suffix) =>
          readFile(log + suffix).then(
            (data) => data.length,
            () => -1,
          ),
        ),
      );
    let text = '';
    for (let attempt = 0; attempt < 150 && !text.includes('done'); attempt += 1) {
      await agent.reconcileOnce();
      text = (await Promise.all(['', '.1', '.2'].map((suffix) => readFile(log + suffix, 'utf8').catch(() => '')))).join(
        '',
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await agent.reconcileOnce();
    const [current, first, second, third] = await sizes();
    expect(text).toContain('done');
    // The log writer rotates at exactly the cap (copy-truncate used to pass it).
    expect(first).toBe(64 * 1024);
    expect(second).toBeGreaterThan(0);
    expect(third).toBe(-1);
    expect(current!).toBeLessThanOrEqual(64 * 1024);
  });
});
