import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, issueDesiredStatusSigner, readPemCredential } from '@openaos/pki';
import { signDesiredStatus, type DesiredStatus, type MessageInput } from '@openaos/protocol/v7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../src/index.js';
import { createInstanceId } from '../src/index.js';
import { CloudLink, type LinkEvent } from '../src/link/cloud-link.js';
import { readIdentity } from '../src/link/identity-store.js';
import { provisionUnit } from '../src/link/provision-unit.js';
import { instanceStates, startCloudPeer, type CloudPeer, type PeerConnection } from './cloud-peer.js';
import {
  buildTestImage,
  createTestBed,
  readInstancePid,
  SERVICE_A,
  SERVICE_B,
  serviceYaml,
  waitUntil,
  type TestImage,
} from './helpers.js';

const isRoot = process.getuid?.() === 0;
const SYSTEM_ID = 'unit-link-1';
const SERVICE_C = '3f1c2b9e-7a4d-4c1e-8b2f-5d6e7f8a9b0c';
const SERVICE_D = '9b8a7f6e-5d4c-4b3a-9e2d-1c0b9a8f7e6d';
const SUBJECT = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const OWNER = 'c0ffee00-1234-4abc-9def-0123456789ab';
const SLEEPER = 'import time\nprint("up", flush=True)\ntime.sleep(3600)\n';

type Desired = MessageInput<'desiredStatus'>;

function desired(entries: Array<{ id: string; version: string; index: string }>): Desired {
  return {
    messageType: 'desiredStatus',
    items: entries.map((entry) => ({
      item: { id: entry.id, type: 'service' as const },
      version: entry.version,
      owner: { id: OWNER, type: 'sp' as const },
      indexDigest: entry.index,
    })),
    instances: entries.map((entry) => ({
      item: { id: entry.id },
      subject: { id: SUBJECT },
      priority: 0,
      numInstances: 1,
    })),
    subjects: [{ identity: { id: SUBJECT, codename: 'group' }, type: 'group' as const }],
  };
}

const isActive = (connection: PeerConnection, id: string, version: string) =>
  instanceStates(connection.view, id, version).join() === 'active';

describe.skipIf(!isRoot).sequential('the cloud link against a cloud peer, with runc', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  let peer: CloudPeer;
  let agent: Agent;
  let link: CloudLink;
  let running: Promise<void>;
  let connection: PeerConnection;
  const events: LinkEvent[] = [];
  const logs: string[] = [];
  const images: Record<string, TestImage & { index: string }> = {};
  const signedFirst: DesiredStatus[] = [];
  const pid = (serviceId: string) => readInstancePid(bed.storageDir, createInstanceId(serviceId, SUBJECT, 0));

  beforeAll(async () => {
    bed = await createTestBed('link');
    peer = await startCloudPeer();
    const build = async (name: string, uid: string, version: string, files: Record<string, string> = {}) => {
      const image = await buildTestImage(
        join(bed.root, name),
        serviceYaml({ uid, version, cmd: 'python3 -u /srv/app/main.py' }),
        { 'srv/app/main.py': SLEEPER.replace('"up"', `"up ${name}"`), ...files },
      );
      images[name] = { ...image, index: await peer.publishImage(image.directory, image.manifestDigest) };
    };
    await build('a1', SERVICE_A, '1.0.0');
    await build('a2', SERVICE_A, '1.1.0');
    await build('b1', SERVICE_B, '1.0.0');
    // Random data does not compress: a layer of a few hundred KB, to cut mid-way.
    await build('c1', SERVICE_C, '1.0.0', { 'srv/app/data.txt': randomBytes(300_000).toString('base64') });
    await build('d1', SERVICE_D, '1.0.0');
    const identityDir = join(bed.root, 'identity');
    await provisionUnit({ cloudUrl: peer.url, token: peer.issueToken(SYSTEM_ID), systemId: SYSTEM_ID, identityDir });
    agent = await bed.openAgent({ log: (message) => logs.push(`agent: ${message}`), monitoringPollMs: 200 });
    running = agent.run();
    link = new CloudLink({
      agent,
      identity: await readIdentity(identityDir),
      backoff: { initialMs: 100, maxMs: 800, resetAfterMs: 30_000 },
      retryFailedMs: 60_000,
      monitoringPeriodMs: 500,
      log: (message) => logs.push(message),
      onEvent: (event) => events.push(event),
    });
    link.start();
  }, 120_000);

  afterAll(async () => {
    if (process.env.LINK_TEST_LOG) await writeFile(process.env.LINK_TEST_LOG, logs.join('\n'));
    await link?.stop();
    agent?.stop();
    await running;
    await peer?.stop();
    await bed?.cleanup();
  });

  it('connects with a fresh AosCert proof and sends a full status first', async () => {
    connection = await peer.nextConnection(0);
    const first = await connection.waitForStatus(() => true);
    expect(first.isDeltaInfo).toBe(false);
    expect(first.nodes?.[0]).toMatchObject({ identity: { codename: 'main' }, state: 'provisioned' });
    expect(peer.upgrades).toContainEqual({ path: '/ws/v7/', status: 101 });
  });

  it('runs a desired status: downloads by index digest, installs, reports active', async () => {
    const signed = await connection.sendDesired(
      desired([
        { id: SERVICE_A, version: '1.0.0', index: images.a1!.index },
        { id: SERVICE_B, version: '1.0.0', index: images.b1!.index },
      ]),
    );
    signedFirst.push(signed);
    await connection.waitForView(
      () => isActive(connection, SERVICE_A, '1.0.0') && isActive(connection, SERVICE_B, '1.0.0'),
      'A and B active',
    );
    expect(connection.view.items.get(`${SERVICE_A}@1.0.0`)?.state).toBe('installed');
    expect(connection.blobRequests[0]).toEqual([images.a1!.index]);
    await connection.waitForAlert(
      (alert) =>
        alert.tag === 'downloadProgressAlert' && alert.state === 'finished' && alert.digest === images.a1!.layerDigest,
      'the layer download finished',
    );
    expect(agent.target?.services?.map((service) => service.manifestDigest).sort()).toEqual(
      [images.a1!.manifestDigest, images.b1!.manifestDigest].sort(),
    );
    const applied = JSON.parse(await readFile(agent.files.cloudApplied, 'utf8')) as { applied: { generation: number } };
    expect(applied.applied.generation).toBe(1);
  });

  it('sends monitoring data of the unit and its instances in v7 form', async () => {
    const data = await connection.waitForMonitoring(
      (message) => (message.instances ?? []).some((instance) => instance.item.id === SERVICE_A),
      'samples of A',
    );
    const sample = data.instances?.find((instance) => instance.item.id === SERVICE_A)?.items[0];
    expect(sample?.ram).toBeGreaterThan(0);
    expect(Number.isInteger(sample?.cpu)).toBe(true);
    expect(data.nodes[0]?.node).toEqual({ codename: 'main' });
  });

  it('updates one service: only its instance restarts', async () => {
    const requestsBefore = connection.blobRequests.length;
    const pidB = await pid(SERVICE_B);
    const pidA = await pid(SERVICE_A);
    await connection.sendDesired(
      desired([
        { id: SERVICE_A, version: '1.1.0', index: images.a2!.index },
        { id: SERVICE_B, version: '1.0.0', index: images.b1!.index },
      ]),
    );
    await connection.waitForView(() => isActive(connection, SERVICE_A, '1.1.0'), 'A 1.1.0 active');
    expect(await pid(SERVICE_B)).toBe(pidB);
    expect(await pid(SERVICE_A)).not.toBe(pidA);
    // B's image was installed: nothing of it was asked for again.
    expect(connection.blobRequests.slice(requestsBefore).flat()).not.toContain(images.b1!.manifestDigest);
    expect(connection.blobRequests.slice(requestsBefore).flat()).toContain(images.a2!.manifestDigest);
  });

  it('refuses a downgrade without isRollback (the newer version keeps running), takes it with isRollback', async () => {
    // Committed (ran for its startInterval): from then on 1.0.0 is a downgrade.
    await waitUntil(async () => logs.includes(`agent: ${SERVICE_A}@1.1.0 is active`), 20_000, 'A 1.1.0 committed');
    const pidA = await pid(SERVICE_A);
    const pidB = await pid(SERVICE_B);
    const older = [
      { id: SERVICE_A, version: '1.0.0', index: images.a1!.index },
      { id: SERVICE_B, version: '1.0.0', index: images.b1!.index },
    ];
    await connection.sendDesired(desired(older));
    const view = await connection.waitForView(
      (current) => current.items.get(`${SERVICE_A}@1.0.0`)?.state === 'failed',
      'the downgrade refused',
    );
    expect(view.items.get(`${SERVICE_A}@1.0.0`)?.errorInfo?.message).toContain('downgrade from 1.1.0 to 1.0.0 refused');
    expect(await pid(SERVICE_A)).toBe(pidA);

    const rollback = desired(older);
    rollback.items = rollback.items?.map((item) => (item.item.id === SERVICE_A ? { ...item, isRollback: true } : item));
    await connection.sendDesired(rollback);
    await connection.waitForView(() => isActive(connection, SERVICE_A, '1.0.0'), 'A rolled back to 1.0.0');
    // Forward again for what follows.
    await connection.sendDesired(
      desired([
        { id: SERVICE_A, version: '1.1.0', index: images.a2!.index },
        { id: SERVICE_B, version: '1.0.0', index: images.b1!.index },
      ]),
    );
    await connection.waitForView(() => isActive(connection, SERVICE_A, '1.1.0'), 'A 1.1.0 again');
    expect(await pid(SERVICE_B)).toBe(pidB);
  });

  it('acks and ignores the very desired status it applied last', async () => {
    const generation = peer.units.get(SYSTEM_ID)!.generation;
    const again = await connection.sendDesired(
      desired([
        { id: SERVICE_A, version: '1.1.0', index: images.a2!.index },
        { id: SERVICE_B, version: '1.0.0', index: images.b1!.index },
      ]),
      { generation },
    );
    expect(again.signature).toBeDefined();
    await waitUntil(
      async () => logs.some((line) => line.includes(`generation ${generation} is already applied`)),
      20_000,
      'the resend ignored',
    );
  });

  it('refuses a tampered, replayed, foreign-signed, misaddressed or conflicting desired status; applies nothing', async () => {
    const before = JSON.stringify(agent.target);
    const appliedBefore = await readFile(agent.files.cloudApplied, 'utf8');
    const data = desired([{ id: SERVICE_A, version: '1.0.0', index: images.a1!.index }]);
    const next = (peer.units.get(SYSTEM_ID)?.generation ?? 0) + 1;
    const refusedWith = (code: string) =>
      connection.waitForAlert(
        (alert) => alert.tag === 'coreAlert' && alert.message.includes(`refused (${code})`),
        `a ${code} refusal`,
      );

    const tampered = signDesiredStatus(data, { systemId: SYSTEM_ID, generation: next, credential: peer.signer });
    tampered.instances[0]!.numInstances = 3;
    await connection.sendRaw(tampered);
    await refusedWith('bad-signature');

    await connection.sendRaw(signedFirst[0]!);
    await refusedWith('replayed');

    const foreignCa = createCertificateAuthority({ commonName: 'Elsewhere CA' });
    const issued = issueDesiredStatusSigner(foreignCa);
    const foreign = readPemCredential(issued.privateKeyPem, [issued.certificatePem, ...issued.chainPem].join(''));
    await connection.sendDesired(data, { signer: foreign, generation: next + 1 });
    await refusedWith('untrusted-signer');

    await connection.sendRaw(
      signDesiredStatus(data, { systemId: 'another-unit', generation: next + 2, credential: peer.signer }),
    );
    await refusedWith('wrong-unit');

    const { applied } = JSON.parse(appliedBefore) as { applied: { generation: number } };
    await connection.sendDesired(data, { generation: applied.generation });
    await refusedWith('conflicting');

    expect(JSON.stringify(agent.target)).toBe(before);
    expect(await readFile(agent.files.cloudApplied, 'utf8')).toBe(appliedBefore);
  });

  it('resumes an interrupted blob download with Range', async () => {
    const layerPath = `/api/v7/blobs/sha256/${images.c1!.layerDigest.slice('sha256:'.length)}`;
    const layerSize = peer.blobs.get(images.c1!.layerDigest)!.length;
    expect(layerSize).toBeGreaterThan(200_000);
    peer.interruptNextDownload(images.c1!.layerDigest, 100_000);
    await connection.sendDesired(
      desired([
        { id: SERVICE_A, version: '1.1.0', index: images.a2!.index },
        { id: SERVICE_B, version: '1.0.0', index: images.b1!.index },
        { id: SERVICE_C, version: '1.0.0', index: images.c1!.index },
      ]),
    );
    await connection.waitForView(() => isActive(connection, SERVICE_C, '1.0.0'), 'C active');
    expect(
      connection.statuses.some((status) =>
        (status.items ?? []).some((item) => item.item.id === SERVICE_C && item.state === 'downloading'),
      ),
    ).toBe(true);
    const requests = peer.blobRequests.filter((request) => request.path === layerPath);
    expect(requests[0]).toMatchObject({ status: 200, authorized: true });
    expect(requests[1]?.status).toBe(206);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(requests[1]?.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(100_000);
    await connection.waitForAlert(
      (alert) =>
        alert.tag === 'downloadProgressAlert' &&
        alert.state === 'interrupted' &&
        alert.digest === images.c1!.layerDigest,
      'the interruption reported',
    );
  });

  it('refuses a tampered blob: the item is failed with the reason and nothing is applied', async () => {
    const before = JSON.stringify(agent.target);
    const layer = peer.blobs.get(images.d1!.layerDigest)!;
    const altered = Buffer.from(layer);
    altered.writeUInt8(altered.readUInt8(altered.length - 10) ^ 0xff, altered.length - 10);
    peer.blobs.set(images.d1!.layerDigest, altered);
    const entries = [
      { id: SERVICE_A, version: '1.1.0', index: images.a2!.index },
      { id: SERVICE_B, version: '1.0.0', index: images.b1!.index },
      { id: SERVICE_C, version: '1.0.0', index: images.c1!.index },
    ];
    await connection.sendDesired(desired([...entries, { id: SERVICE_D, version: '1.0.0', index: images.d1!.index }]));
    const view = await connection.waitForView(
      (current) => current.items.get(`${SERVICE_D}@1.0.0`)?.state === 'failed',
      'D failed',
    );
    expect(view.items.get(`${SERVICE_D}@1.0.0`)?.errorInfo?.message).toContain('does not match its digest');
    expect(JSON.stringify(agent.target)).toBe(before);
    const downloaded = join(bed.storageDir, 'downloads', 'blobs', 'sha256');
    expect(await readdir(downloaded)).toContain(images.d1!.index.slice('sha256:'.length));
    // Back to a clean desired status for what follows.
    await connection.sendDesired(desired(entries));
    await waitUntil(
      async () => logs.some((line) => line.includes(`generation ${peer.units.get(SYSTEM_ID)?.generation} `)),
      20_000,
      'applied',
    );
    // What was downloaded for D, which was never applied, is gone from downloads/.
    expect(await readdir(downloaded)).not.toContain(images.d1!.index.slice('sha256:'.length));
  });

  it('keeps containers running while the cloud is away, reconnects with backoff, resyncs, restarts nothing', async () => {
    const pids = [await pid(SERVICE_A), await pid(SERVICE_B), await pid(SERVICE_C)];
    const count = peer.connectionCount;
    const eventsBefore = events.length;
    await peer.stop();
    await waitUntil(
      async () => events.slice(eventsBefore).filter((event) => event.type === 'reconnecting').length >= 3,
      20_000,
      'three reconnect attempts',
    );
    const attempts = events
      .slice(eventsBefore)
      .flatMap((event) => (event.type === 'reconnecting' ? [event] : []))
      .slice(0, 3);
    expect(attempts.map((event) => event.attempt)).toEqual([0, 1, 2]);
    for (const [index, event] of attempts.entries()) expect(event.delayMs).toBeLessThan(100 * 2 ** index);
    for (const value of pids) expect(() => process.kill(value, 0)).not.toThrow();

    await peer.restart();
    const again = await peer.nextConnection(count);
    const first = await again.waitForStatus(() => true);
    expect(first.isDeltaInfo).toBe(false);
    for (const id of [SERVICE_A, SERVICE_B, SERVICE_C]) expect(instanceStates(again.view, id)).toEqual(['active']);
    expect([await pid(SERVICE_A), await pid(SERVICE_B), await pid(SERVICE_C)]).toEqual(pids);
  });

  it('stops reconnecting on a permanent refusal', async () => {
    const eventsBefore = events.length;
    peer.refuseNextUpgrade(403, 'revoked', 'the unit was revoked');
    const current = await peer.nextConnection(peer.connectionCount - 1);
    current.cut();
    await waitUntil(
      async () => events.slice(eventsBefore).some((event) => event.type === 'stopped'),
      20_000,
      'the link to stop',
    );
    const stopped = events.slice(eventsBefore).find((event) => event.type === 'stopped');
    expect(stopped).toMatchObject({ reason: expect.stringContaining('HTTP 403 revoked') as string });
    expect(logs.some((line) => line.includes('not reconnecting'))).toBe(true);
  });

  it('ends a connection whose peer stops answering pings (heartbeat), then reconnects', async () => {
    const silent = await startCloudPeer({ autoPong: false, sameCloudAs: peer });
    try {
      const heartbeatEvents: LinkEvent[] = [];
      const second = new CloudLink({
        agent,
        identity: await readIdentity(join(bed.root, 'identity')),
        cloudUrl: silent.url,
        limits: { pingIntervalMs: 300 },
        backoff: { initialMs: 50, maxMs: 100, resetAfterMs: 30_000 },
        onEvent: (event) => heartbeatEvents.push(event),
        log: (message) => logs.push(`second: ${message}`),
      });
      second.start();
      await waitUntil(
        async () => heartbeatEvents.some((event) => event.type === 'disconnected'),
        20_000,
        'the silent connection to be ended',
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${logs.filter((line) => line.startsWith('second')).join('\n')}`);
      });
      const ended = heartbeatEvents.find((event) => event.type === 'disconnected');
      expect(ended).toMatchObject({ reason: expect.stringMatching(/heartbeat|pong/i) as string });
      await waitUntil(async () => silent.connectionCount >= 2, 20_000, 'a new connection');
      await second.stop();
    } finally {
      await silent.stop();
    }
  });
});
