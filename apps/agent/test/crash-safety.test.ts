import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstanceId } from '../src/index.js';
import {
  buildTestImage,
  createTestBed,
  desiredStatus,
  readInstancePid,
  reconcileUntil,
  runCli,
  SERVICE_A,
  SERVICE_B,
  SUBJECT,
  serviceYaml,
  spawnDaemon,
  waitUntil,
  type TestImage,
} from './helpers.js';

const isRoot = process.getuid?.() === 0;
const SLEEPER = 'import time\nprint("up", flush=True)\ntime.sleep(3600)\n';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface StatusFile {
  instances: { serviceId: string; instance: number; version: string; status: string }[];
  services: { id: string; version: string; status: string; errorInfo?: { message: string } }[];
}

async function readStatusFile(storageDir: string): Promise<StatusFile | undefined> {
  return readFile(join(storageDir, 'agent/status.json'), 'utf8').then(
    (text) => JSON.parse(text) as StatusFile,
    () => undefined,
  );
}

describe.skipIf(!isRoot).sequential('agent crash safety and verification', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  let daemon: ReturnType<typeof spawnDaemon> | undefined;
  let small: TestImage;
  let big: TestImage;

  beforeAll(async () => {
    bed = await createTestBed('crash');
    small = await buildTestImage(
      join(bed.root, 'small'),
      serviceYaml({ uid: SERVICE_A, version: '1.0.0', cmd: 'python3 -u /srv/app/main.py' }),
      { 'srv/app/main.py': SLEEPER },
    );
    // Incompressible data, so fetching and unpacking take long enough to be interrupted.
    big = await buildTestImage(
      join(bed.root, 'big'),
      serviceYaml({ uid: SERVICE_B, version: '1.0.0', cmd: 'python3 -u /srv/app/main.py' }),
      {
        'srv/app/main.py': SLEEPER.replace('"up"', '"big up"'),
        'srv/app/data.bin': randomBytes(48 * 1024 * 1024).toString('base64'),
      },
    );
  }, 120_000);
  afterAll(async () => {
    daemon?.kill('SIGKILL');
    await daemon?.catch(() => undefined);
    await bed?.cleanup();
  });

  it('refuses a tampered blob and runs nothing of it', async () => {
    const tampered = await buildTestImage(
      join(bed.root, 'tampered'),
      serviceYaml({ uid: SERVICE_A, version: '0.9.0', cmd: 'python3 /srv/app/main.py' }),
      { 'srv/app/main.py': 'print("never")\n' },
    );
    const layerPath = join(tampered.directory, 'blobs/sha256', tampered.layerDigest.replace('sha256:', ''));
    const bytes = await readFile(layerPath);
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
    await writeFile(layerPath, bytes);
    const agent = await bed.openAgent();
    await agent.acceptTarget(desiredStatus([{ id: SERVICE_A, version: '0.9.0', image: tampered }]));
    const pass = await reconcileUntil(agent, (result) => result.status.services[0]?.status === 'error');
    expect(pass.status.services[0]?.errorInfo?.message).toMatch(/does not match its digest/);
    expect(pass.status.instances[0]).toMatchObject({ status: 'failed' });
    expect(await readdir(join(bed.storageDir, 'instances'))).toEqual([]);
    expect(
      await stat(join(bed.storageDir, 'images/blobs/sha256', tampered.layerDigest.replace('sha256:', ''))).catch(
        () => undefined,
      ),
    ).toBeUndefined();
    await agent.acceptTarget({ messageType: 'desiredStatus', services: [], instances: [] });
    await agent.reconcileOnce();
  });

  it('refuses an endless manifest from a blob server', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 0x7b);
      let sent = 0;
      const pump = () => {
        while (sent < 64 * 1024 * 1024 && response.write(chunk)) sent += chunk.length;
        if (sent >= 64 * 1024 * 1024) response.end();
        else response.once('drain', pump);
      };
      response.on('error', () => undefined);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const agent = await bed.openAgent();
      const digest = 'sha256:' + 'c'.repeat(64);
      await agent.acceptTarget({
        messageType: 'desiredStatus',
        services: [
          {
            id: SERVICE_B,
            version: '9.0.0',
            manifestDigest: digest,
            urls: [`http://127.0.0.1:${(server.address() as AddressInfo).port}`],
          },
        ],
        instances: [],
      });
      const pass = await reconcileUntil(agent, (result) => result.status.services[0]?.status === 'error');
      expect(pass.status.services[0]?.errorInfo?.message).toMatch(/more than 4194304 bytes/);
      await agent.acceptTarget({ messageType: 'desiredStatus', services: [], instances: [] });
      await agent.reconcileOnce();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('re-adopts running containers after kill -9 of the agent, without restarting them', async () => {
    const desiredFile = join(bed.root, 'desired-a.json');
    await writeFile(
      desiredFile,
      JSON.stringify(desiredStatus([{ id: SERVICE_A, version: '1.0.0', image: small, numInstances: 2 }])),
    );
    daemon = spawnDaemon(bed.storageDir, bed.cgroupParent);
    const applied = await runCli(['apply', desiredFile, '--storage-dir', bed.storageDir, '--wait', '--timeout', '30']);
    expect(applied.stdout).toMatch(/active/);
    expect(applied.exitCode).toBe(0);
    const ids = [0, 1].map((index) => createInstanceId(SERVICE_A, SUBJECT, index));
    const pids = await Promise.all(ids.map((id) => readInstancePid(bed.storageDir, id)));

    daemon.kill('SIGKILL');
    await daemon.catch(() => undefined);
    expect(pids.every(isAlive)).toBe(true);

    const restartedAt = Date.now();
    daemon = spawnDaemon(bed.storageDir, bed.cgroupParent);
    await waitUntil(
      async () =>
        ((await stat(join(bed.storageDir, 'agent/status.json')).catch(() => undefined))?.mtimeMs ?? 0) > restartedAt ||
        (await readStatusFile(bed.storageDir))?.instances.every((item) => item.status === 'active') === true,
      15_000,
      'the restarted agent to report',
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const status = await runCli(['status', '--storage-dir', bed.storageDir, '--json']);
    const parsed = JSON.parse(status.stdout) as StatusFile;
    expect(parsed.instances.map((item) => item.status)).toEqual(['active', 'active']);
    expect(await Promise.all(ids.map((id) => readInstancePid(bed.storageDir, id)))).toEqual(pids);
    const logs = await runCli(['logs', SERVICE_A, '--storage-dir', bed.storageDir, '--instance', '1']);
    expect(logs.stdout).toContain('up');
  });

  it('finishes an install interrupted by kill -9 and leaves no partial files', async () => {
    const desiredFile = join(bed.root, 'desired-b.json');
    await writeFile(
      desiredFile,
      JSON.stringify(
        desiredStatus([
          { id: SERVICE_A, version: '1.0.0', image: small, numInstances: 2 },
          { id: SERVICE_B, version: '1.0.0', image: big },
        ]),
      ),
    );
    const layerHex = big.layerDigest.replace('sha256:', '');
    await runCli(['apply', desiredFile, '--storage-dir', bed.storageDir]);
    // Kill the agent once the big layer is being fetched or unpacked.
    await waitUntil(
      async () => {
        const blobsTmp = await readdir(join(bed.storageDir, 'images/tmp')).catch(() => [] as string[]);
        const layers = await readdir(join(bed.storageDir, 'layers')).catch(() => [] as string[]);
        return blobsTmp.length > 0 || layers.some((name) => name.includes(layerHex));
      },
      30_000,
      'the big install to start',
    );
    daemon!.kill('SIGKILL');
    await daemon!.catch(() => undefined);
    const records = JSON.parse(await readFile(join(bed.storageDir, 'agent/records.json'), 'utf8')) as {
      installed: Record<string, unknown>;
      instances: Record<string, unknown>;
    };
    // Not recorded as installed, so nothing of it could run.
    expect(Object.keys(records.installed)).not.toContain(big.manifestDigest);
    expect(Object.keys(records.instances)).not.toContain(createInstanceId(SERVICE_B, SUBJECT, 0));

    daemon = spawnDaemon(bed.storageDir, bed.cgroupParent);
    await waitUntil(
      async () =>
        (await readStatusFile(bed.storageDir))?.instances.length === 3 &&
        (await readStatusFile(bed.storageDir))!.instances.every((item) => item.status === 'active'),
      60_000,
      'all three instances to be active',
    );
    const layers = await readdir(join(bed.storageDir, 'layers'));
    expect(layers.filter((name) => name.endsWith('.tmp') || name.endsWith('.partial'))).toEqual([]);
    expect(layers).toContain(layerHex);
    expect(await readdir(join(bed.storageDir, 'images/tmp')).catch(() => [])).toEqual([]);
  });
});
