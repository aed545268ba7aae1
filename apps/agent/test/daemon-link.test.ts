import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceStates, startCloudPeer, type CloudPeer } from './cloud-peer.js';
import { buildTestImage, createTestBed, runCli, SERVICE_A, serviceYaml, spawnDaemon } from './helpers.js';

const isRoot = process.getuid?.() === 0;
const SUBJECT = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const OWNER = 'c0ffee00-1234-4abc-9def-0123456789ab';

describe.skipIf(!isRoot).sequential('aos-agent provision, then run: the daemon connects by itself', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  let peer: CloudPeer;
  let daemon: ReturnType<typeof spawnDaemon> | undefined;
  const peers: CloudPeer[] = [];

  beforeAll(async () => {
    bed = await createTestBed('daemon-link');
    peer = await startCloudPeer();
  }, 60_000);
  afterAll(async () => {
    daemon?.kill('SIGKILL');
    await daemon?.catch(() => undefined);
    await peer?.stop();
    for (const other of peers) await other.stop();
    await bed?.cleanup();
  });

  it('provisions, connects on start (--cloud overriding the stored URL), runs what the cloud wants, stops on SIGTERM', async () => {
    const image = await buildTestImage(
      join(bed.root, 'a'),
      serviceYaml({ uid: SERVICE_A, version: '1.0.0', cmd: 'python3 -u /srv/app/main.py' }),
      { 'srv/app/main.py': 'import time\nprint("up", flush=True)\ntime.sleep(3600)\n' },
    );
    // --cloud overrides the URL stored at provisioning: here another process of the same cloud.
    const other = await startCloudPeer({ sameCloudAs: peer });
    peers.push(other);
    const indexDigest = await other.publishImage(image.directory, image.manifestDigest);
    const provisioned = await runCli([
      'provision',
      '--cloud',
      peer.url,
      '--token',
      peer.issueToken('unit-daemon'),
      '--system-id',
      'unit-daemon',
      '--storage-dir',
      bed.storageDir,
    ]);
    expect(provisioned.exitCode, provisioned.stdout).toBe(0);
    expect(provisioned.stdout).toContain('provisioned unit unit-daemon');

    daemon = spawnDaemon(bed.storageDir, bed.cgroupParent, ['--cloud', other.url]);
    const connection = await other.nextConnection(0);
    expect(peer.connectionCount).toBe(0);
    expect((await connection.waitForStatus(() => true)).isDeltaInfo).toBe(false);
    await connection.sendDesired({
      messageType: 'desiredStatus',
      items: [{ item: { id: SERVICE_A }, version: '1.0.0', owner: { id: OWNER }, indexDigest }],
      instances: [{ item: { id: SERVICE_A }, subject: { id: SUBJECT } }],
    });
    await connection.waitForView(
      (view) => instanceStates(view, SERVICE_A, '1.0.0').join() === 'active',
      'the instance active in the cloud',
    );

    const status = await runCli(['status', '--storage-dir', bed.storageDir]);
    expect(status.stdout).toContain(`cloud: connected to ${other.url} as unit-daemon since `);

    daemon.kill('SIGTERM');
    const result = await daemon;
    expect(result.exitCode).toBe(0);
    expect(result.all).toContain('cloud link: connected to');
    expect(result.all).toContain('applied desired status generation 1');
    const after = await runCli(['status', '--storage-dir', bed.storageDir]);
    expect(after.stdout).toContain(`cloud: not reconnecting to ${other.url} as unit-daemon since `);
    expect(after.stdout).toContain('the agent stopped');

    // Started again (its container kept running): the first status already shows it active.
    daemon = spawnDaemon(bed.storageDir, bed.cgroupParent, ['--cloud', other.url]);
    const again = await other.nextConnection(1);
    const first = await again.waitForStatus(() => true);
    expect(first.isDeltaInfo).toBe(false);
    const group = first.instances?.find((entry) => entry.item.id === SERVICE_A);
    expect(group?.instances.map((instance) => instance.state)).toEqual(['active']);
  });
});
