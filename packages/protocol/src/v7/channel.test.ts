import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import type { ProtocolError } from '../errors.js';
import type { MessageInput } from './catalog.js';
import { CLOSE_CODES, type ChannelLimits } from './channel-limits.js';
import type { Channel, ChannelSocket } from './channel-types.js';
import { createChannel } from './channel.js';
import { createAck, createEnvelope, createNack, encodeEnvelope } from './envelope.js';
import { signDesiredStatus, verifyDesiredStatus, type VerifyDesiredStatusResult } from './desired-status-signature.js';
import { createPlainBlobInfo } from './plain-blob.js';
import { loadPkiFixture } from './testing/pki-fixture.js';
import { RawPeer } from './testing/raw-peer.js';
import { openSocketPair, type SocketPair } from './testing/socket-pair.js';

/*
 * Real ws sockets on loopback. Nothing here waits for a fixed time: each test waits for the event
 * it expects (a frame, a close, a handler call), and timeouts given to the channel only bound
 * how long a test can take when something is wrong.
 */

const systemId = 'unit-test-1';
const serviceId = '9931560c-be75-4f60-9abf-08297d905332';
const digest = `sha256:${'b'.repeat(64)}`;
const unitStatus: MessageInput<'unitStatus'> = {
  messageType: 'unitStatus',
  isDeltaInfo: false,
  items: [{ item: { id: serviceId }, version: '1.0.0', state: 'installed' }],
};
const desiredStatus: MessageInput<'desiredStatus'> = {
  messageType: 'desiredStatus',
  items: [{ item: { id: serviceId }, version: '1.0.0', owner: { codename: 'sp' }, indexDigest: digest }],
};

// Nothing may escape to the process: the channel turns every problem into a result, an error callback or a close.
const escaped: unknown[] = [];
const recordEscape = (error: unknown): void => {
  escaped.push(error);
};
beforeAll(() => {
  process.on('unhandledRejection', recordEscape);
  process.on('uncaughtException', recordEscape);
});
afterAll(() => {
  process.off('unhandledRejection', recordEscape);
  process.off('uncaughtException', recordEscape);
});

const pairs: SocketPair[] = [];
afterEach(async () => {
  await Promise.all(pairs.splice(0).map((pair) => pair.close()));
  // Let pending rejections surface before checking.
  await new Promise((resolve) => setImmediate(resolve));
  expect(escaped).toEqual([]);
});

async function open(options: Parameters<typeof openSocketPair>[0] = {}): Promise<SocketPair> {
  const pair = await openSocketPair(options);
  pairs.push(pair);
  return pair;
}

interface Ends {
  pair: SocketPair;
  cloud: Channel<'cloud'>;
  unit: Channel<'unit'>;
  cloudErrors: ProtocolError[];
  unitErrors: ProtocolError[];
}

async function openChannels(limits: Partial<ChannelLimits> = {}): Promise<Ends> {
  const pair = await open();
  const cloudErrors: ProtocolError[] = [];
  const unitErrors: ProtocolError[] = [];
  const cloud = createChannel(pair.server, {
    side: 'cloud',
    systemId,
    limits,
    onError: (error) => cloudErrors.push(error),
  });
  const unit = createChannel(pair.client, {
    side: 'unit',
    systemId,
    limits,
    onError: (error) => unitErrors.push(error),
  });
  return { pair, cloud, unit, cloudErrors, unitErrors };
}

/** A cloud channel whose unit end is driven by hand. */
async function openCloudWithRawUnit(limits: Partial<ChannelLimits> = {}, clientOptions: ClientOptions = {}) {
  const pair = await open({ client: clientOptions });
  const errors: ProtocolError[] = [];
  const cloud = createChannel(pair.server, { side: 'cloud', systemId, limits, onError: (error) => errors.push(error) });
  return { pair, cloud, errors, unit: new RawPeer(pair.client) };
}

function unitFrame(data: Parameters<typeof createEnvelope>[0], txn?: string): string {
  return encodeEnvelope(createEnvelope(data, { systemId, ...(txn !== undefined && { txn }) }));
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('v7 channel over real WebSockets', () => {
  it('takes ws’s WebSocket as its socket', async () => {
    const { client } = await open();
    const socket: ChannelSocket = client; // compile-time check that ws satisfies the interface
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });

  it('delivers typed messages both ways and resolves each send on the ack of its txn', async () => {
    const { cloud, unit, pair } = await openChannels();
    const atCloud = deferred<unknown>();
    const atUnit = deferred<{ version?: string; raw: Record<string, unknown> }>();
    cloud.on('unitStatus', (data, context) => atCloud.resolve({ items: data.items, txn: context.header.txn }));
    unit.on('desiredStatus', (data, context) =>
      atUnit.resolve({ ...(data.items[0] && { version: data.items[0].version }), raw: context.rawData }),
    );
    const frames: boolean[] = [];
    pair.client.on('message', (_data, isBinary) => frames.push(isBinary));

    await unit.send(unitStatus);
    await cloud.send(desiredStatus);
    expect(await atCloud.promise).toEqual({ items: unitStatus.items, txn: expect.any(String) });
    const received = await atUnit.promise;
    expect(received.version).toBe('1.0.0');
    expect(received.raw).toMatchObject({ messageType: 'desiredStatus', items: [{ version: '1.0.0' }] });
    expect(frames.length).toBeGreaterThanOrEqual(2); // the desiredStatus and the ack of the unitStatus
    expect(frames.every((isBinary) => isBinary)).toBe(true); // AosCore reads binary frames only
    expect(cloud.stats()).toMatchObject({ state: 'open', queuedMessages: 0, queuedBytes: 0 });
  });

  it('carries a signed desired status that the unit verifies from the handler’s rawData', async () => {
    const { cloud, unit } = await openChannels();
    const pki = loadPkiFixture();
    const verified = deferred<VerifyDesiredStatusResult>();
    unit.on('desiredStatus', (_data, context) =>
      verified.resolve(verifyDesiredStatus(context.rawData, { systemId, trustedCa: pki.rootCertificate })),
    );
    await cloud.send(signDesiredStatus(desiredStatus, { systemId, generation: 3, credential: pki.signer }));
    const result = await verified.promise;
    expect(result.ok ? result.generation : result.message).toBe(3);
  });

  it('answers a request with the response of the same correlationId, not through handlers', async () => {
    const { cloud, unit, unitErrors } = await openChannels();
    cloud.on('requestBlobUrls', async (data, context) => {
      await context.reply({
        messageType: 'blobUrls',
        items: data.digests.map((blobDigest) =>
          createPlainBlobInfo({
            digest: blobDigest,
            size: 3,
            urls: ['https://cloud.test/b'],
            sha3_256: Buffer.alloc(32),
          }),
        ),
      });
    });
    const response = await unit.request({ messageType: 'requestBlobUrls', digests: [digest] });
    expect(response.messageType).toBe('blobUrls');
    expect(response.items.map((item) => item.digest)).toEqual([digest]);
    expect(response.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(unitErrors).toEqual([]); // not "unhandled"
  });

  it('nacks an invalid message with a typed error and keeps the connection', async () => {
    const { cloud, errors, unit } = await openCloudWithRawUnit();
    const bad = unitFrame(unitStatus, 'txn-bad').replace('"installed"', '"running"');
    unit.send(bad);
    const nack = await unit.nextOfType('nack', 'txn-bad');
    expect(nack.value.data).toEqual({
      messageType: 'nack',
      retryAfter: 60_000,
      errorInfo: { code: 'invalid-message', message: expect.stringContaining('data.items.0.state') },
    });
    expect(errors.map((error) => error.code)).toEqual(['invalid-message']);

    unit.send('{not json');
    const nackOfJunk = await unit.next((message) => message.value.data.errorInfo !== undefined && message !== nack);
    expect(nackOfJunk.value.data).toMatchObject({ messageType: 'nack', errorInfo: { code: 'invalid-json' } });

    unit.send(encodeEnvelope(createEnvelope(unitStatus, { systemId: 'unit-test-2', txn: 'txn-other' })));
    expect((await unit.nextOfType('nack', 'txn-other')).value.data).toMatchObject({
      errorInfo: { code: 'wrong-system' },
    });

    const delivered = deferred<void>();
    cloud.on('unitStatus', () => delivered.resolve());
    unit.send(unitFrame(unitStatus, 'txn-good'));
    await unit.nextOfType('ack', 'txn-good');
    await delivered.promise;
    expect(cloud.stats().state).toBe('open');
  });

  it('closes with 1008 after too many invalid messages', async () => {
    const { cloud, unit, errors } = await openCloudWithRawUnit({ maxInvalidBurst: 10, maxInvalidPerMinute: 1 });
    const clientClosed = once(unit.socket, 'close');
    for (let index = 0; index < 30; index += 1) unit.send(`junk ${index}`);
    const closed = await cloud.closed;
    expect(closed.error.code).toBe('rate-limited');
    expect(closed.error.message).toMatch(/more than 10 invalid messages/);
    const [code, reason] = (await clientClosed) as [number, Buffer];
    expect([code, reason.toString()]).toEqual([CLOSE_CODES.policyViolation, 'too many invalid messages']);
    expect(unit.received.filter((message) => message.value.data.messageType === 'nack')).toHaveLength(10);
    expect(errors).toHaveLength(11);
  });

  it('never answers a broken ack or nack (no endless exchange)', async () => {
    const { errors, unit } = await openCloudWithRawUnit();
    unit.send({ header: { version: 7, systemId, createdAt: 'yesterday', txn: 'a' }, data: { messageType: 'ack' } });
    unit.send(unitFrame(unitStatus, 'txn-after'));
    await unit.nextOfType('ack', 'txn-after');
    expect(unit.received.filter((message) => message.value.data.messageType === 'nack')).toEqual([]);
    expect(errors.map((error) => error.code)).toEqual(['invalid-envelope', 'unhandled-message']);
  });

  it('acknowledges a resent message again but hands it to the handler once', async () => {
    const { cloud, unit } = await openCloudWithRawUnit();
    let calls = 0;
    cloud.on('unitStatus', () => {
      calls += 1;
    });
    const frame = unitFrame(unitStatus, 'txn-twice');
    unit.send(frame);
    unit.send(frame);
    unit.send(unitFrame(unitStatus, 'txn-last'));
    await unit.nextOfType('ack', 'txn-last');
    expect(unit.received.filter((message) => message.value.header.txn === 'txn-twice')).toHaveLength(2);
    expect(calls).toBe(2); // txn-twice once, txn-last once
  });

  it('rejects a send refused by the peer, resends after a plain nack, and gives up after maxNackRetries', async () => {
    const { cloud, unit } = await openCloudWithRawUnit({ maxNackRetries: 2 });
    const refused = cloud.send(desiredStatus);
    const first = await unit.nextOfType('desiredStatus');
    unit.send(
      createEnvelope(
        { messageType: 'nack', errorInfo: { code: 'invalid-message', message: 'no' } },
        { systemId, txn: first.value.header.txn },
      ),
    );
    await expect(refused).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringContaining('invalid-message: no'),
    });

    const retried = cloud.send({ ...desiredStatus, correlationId: 'retried' });
    const original = await unit.next((message) => message.value.data.correlationId === 'retried');
    const txn = original.value.header.txn;
    unit.send(createNack(txn, { systemId, retryAfter: 0 }));
    const again = await unit.next((message) => message.value.header.txn === txn && message !== original);
    expect(again.value).toEqual(original.value); // the same frame, same txn
    unit.send(createAck(txn, { systemId }));
    await expect(retried).resolves.toBeUndefined();

    const busy = cloud.send({ ...desiredStatus, correlationId: 'busy' });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const latest = await waitForCount(unit, 'busy', attempt);
      unit.send(createNack(latest?.value.header.txn ?? '', { systemId, retryAfter: 0 }));
    }
    await expect(busy).rejects.toMatchObject({ code: 'nacked' });
    expect(unit.received.filter((message) => message.value.data.correlationId === 'busy')).toHaveLength(3);
  });

  it('resends a message that is not acknowledged, then rejects; and rejects a request never answered', async () => {
    const { cloud, unit } = await openCloudWithRawUnit({ ackTimeoutMs: 100, maxAckRetries: 2, responseTimeoutMs: 400 });
    await expect(cloud.send({ ...desiredStatus, correlationId: 'unacked' })).rejects.toMatchObject({
      code: 'ack-timeout',
      message: expect.stringContaining('no ack after 3 sends'),
    });
    const copies = unit.received.filter((message) => message.value.data.correlationId === 'unacked');
    expect(copies).toHaveLength(3);
    expect(new Set(copies.map((copy) => copy.value.header.txn)).size).toBe(1);
    const request = cloud.request({
      messageType: 'startProvisioningRequest',
      node: { codename: 'main' },
      password: 'x',
    });
    const sent = await unit.nextOfType('startProvisioningRequest');
    unit.send(createAck(sent.value.header.txn, { systemId }));
    await expect(request).rejects.toMatchObject({ code: 'response-timeout' });
    expect(cloud.stats()).toMatchObject({ queuedMessages: 0, pendingRequests: 0 });
  });

  it('refuses to send bad data or a message of the other side, without throwing', async () => {
    const { unit } = await openChannels();
    await expect(unit.send({ messageType: 'unitStatus', items: 'x' } as never)).rejects.toMatchObject({
      code: 'invalid-message',
    });
    await expect(unit.send(desiredStatus as never)).rejects.toMatchObject({ code: 'wrong-direction' });
    await expect(
      unit.send({ ...unitStatus, subjects: Array.from({ length: 60_000 }, () => ({ codename: 'subject' })) }),
    ).rejects.toMatchObject({ code: 'frame-too-large' });
  });

  it('closes with 1009 on a frame over maxFrameBytes', async () => {
    const { cloud, unit } = await openCloudWithRawUnit({ maxFrameBytes: 64 * 1024 });
    const clientClosed = once(unit.socket, 'close');
    unit.send(unitFrame({ ...unitStatus, subjects: Array.from({ length: 10_000 }, () => ({ codename: 'subject' })) }));
    const closed = await cloud.closed;
    expect(closed.error.code).toBe('frame-too-large');
    const [code, reason] = (await clientClosed) as [number, Buffer];
    expect(code).toBe(CLOSE_CODES.messageTooBig);
    expect(reason.toString()).toBe('frame too large');
  });

  it('keeps a link whose peer answers pings, and terminates one whose peer misses a pong', async () => {
    const alive = await openChannels({ pingIntervalMs: 50 });
    let pings = 0;
    const fivePings = deferred<void>();
    alive.pair.client.on('ping', () => {
      pings += 1;
      if (pings === 5) fivePings.resolve();
    });
    await fivePings.promise;
    expect(alive.cloud.stats().state).toBe('open');

    const { cloud, pair } = await openCloudWithRawUnit({ pingIntervalMs: 50 }, { autoPong: false });
    const clientClosed = once(pair.client, 'close');
    const closed = await cloud.closed;
    expect(closed.error.code).toBe('heartbeat-timeout');
    const [code] = (await clientClosed) as [number];
    expect(code).toBe(1006); // terminated: no close handshake
  });

  it('closes the connection of a unit that stops reading, with memory bounded by the queue limits', async () => {
    const limits = { maxQueuedBytes: 256 * 1024, maxQueuedMessages: 10_000, closeTimeoutMs: 200 };
    const { cloud, pair } = await openCloudWithRawUnit(limits);
    pair.clientTcp.pause(); // the unit reads nothing more: no acks come back, TCP buffers fill
    const big = {
      ...desiredStatus,
      subjects: Array.from({ length: 400 }, (_, index) => ({
        identity: { codename: `subject-${index}` },
        type: 'group' as const,
      })),
    };
    const outcomes: Promise<string>[] = [];
    let highestQueued = 0;
    let highestBuffered = 0;
    while (cloud.stats().state === 'open') {
      outcomes.push(
        cloud.send(big).then(
          () => 'acked',
          (error: ProtocolError) => error.code,
        ),
      );
      highestQueued = Math.max(highestQueued, cloud.stats().queuedBytes);
      highestBuffered = Math.max(highestBuffered, pair.server.bufferedAmount);
      if (outcomes.length > 10_000) throw new Error('the channel never closed');
    }
    const closed = await cloud.closed;
    expect(closed.error.code).toBe('send-queue-full');
    expect(closed.error.message).toMatch(/not reading/);
    expect(new Set(await Promise.all(outcomes))).toEqual(new Set(['send-queue-full']));
    expect(highestQueued).toBeLessThanOrEqual(limits.maxQueuedBytes);
    expect(highestBuffered).toBeLessThanOrEqual(limits.maxQueuedBytes);
    const frameBytes = encodeEnvelope(createEnvelope(big, { systemId })).length;
    expect(outcomes.length * frameBytes).toBeGreaterThan(limits.maxQueuedBytes); // it did fill up
    pair.clientTcp.resume();
  });

  it('closes with 1008 on a flood of messages', async () => {
    const { cloud, unit, errors } = await openCloudWithRawUnit({ maxIncomingPerSecond: 1, maxIncomingBurst: 20 });
    let handled = 0;
    cloud.on('unitStatus', () => {
      handled += 1;
    });
    const clientClosed = once(unit.socket, 'close');
    const frame = unitFrame(unitStatus);
    for (let index = 0; index < 200; index += 1) unit.send(frame.replace(/"txn":"[^"]+"/, `"txn":"flood-${index}"`));
    const closed = await cloud.closed;
    expect(closed.error.code).toBe('rate-limited');
    const [code, reason] = (await clientClosed) as [number, Buffer];
    expect(code).toBe(CLOSE_CODES.policyViolation);
    expect(reason.toString()).toBe('too many messages per second');
    expect(handled).toBeLessThanOrEqual(20);
    expect(errors).toEqual([]);
  });

  it('reports a handler that throws or rejects, and goes on', async () => {
    const { cloud, unit, cloudErrors } = await openChannels();
    let calls = 0;
    const third = deferred<void>();
    cloud.on('unitStatus', () => {
      calls += 1;
      if (calls === 1) throw new Error('sync failure');
      if (calls === 2) return Promise.reject(new Error('async failure'));
      third.resolve();
      return undefined;
    });
    cloud.on('alerts', () => {
      throw new Error('also failing');
    });
    await unit.send(unitStatus);
    await unit.send(unitStatus);
    await unit.send(unitStatus);
    await third.promise;
    await unit.send({ messageType: 'alerts', items: [] });
    await unit.send({ messageType: 'monitoringData', nodes: [] });
    await waitUntil(() => cloudErrors.length >= 4);
    expect(cloudErrors.map((error) => [error.code, error.message.replace(/\(txn [^)]+\)/, '(txn)')])).toEqual([
      ['handler-failed', `handling unitStatus (txn) from unit ${systemId}: sync failure`],
      ['handler-failed', `handling unitStatus (txn) from unit ${systemId}: async failure`],
      ['handler-failed', `handling alerts (txn) from unit ${systemId}: also failing`],
      ['unhandled-message', expect.stringContaining('received monitoringData')],
    ]);
    expect(cloud.stats().state).toBe('open');
  });

  it('survives an onError callback that throws', async () => {
    const pair = await open();
    const cloud = createChannel(pair.server, {
      side: 'cloud',
      systemId,
      onError: () => {
        throw new Error('bad callback');
      },
    });
    const unit = new RawPeer(pair.client);
    unit.send('junk');
    unit.send(unitFrame(unitStatus, 'txn-next'));
    await unit.nextOfType('ack', 'txn-next');
    expect(cloud.stats().state).toBe('open');
  });

  it('close() rejects what is pending, settles both sides, and later sends reject', async () => {
    const { cloud, unit } = await openCloudWithRawUnit();
    const pending = cloud.send(desiredStatus);
    await unit.nextOfType('desiredStatus');
    const clientClosed = once(unit.socket, 'close');
    cloud.close('unit deleted');
    await expect(pending).rejects.toMatchObject({ code: 'closed', message: expect.stringContaining('unit deleted') });
    const [code, reason] = (await clientClosed) as [number, Buffer];
    expect([code, reason.toString()]).toEqual([1000, 'unit deleted']);
    expect((await cloud.closed).error.code).toBe('closed');
    await expect(cloud.send(desiredStatus)).rejects.toMatchObject({ code: 'closed' });
  });

  it('a peer that goes away rejects pending sends with closed', async () => {
    const { cloud, unit } = await openChannels();
    unit.on('desiredStatus', () => undefined);
    const pending = cloud.send(desiredStatus);
    unit.close();
    await expect(Promise.allSettled([pending])).resolves.toHaveLength(1);
    const closed = await cloud.closed;
    expect(closed.error.code).toBe('closed');
    expect((await unit.closed).code).toBe(1000);
  });

  it('a channel made on a closed socket is closed at once', async () => {
    const { client } = await open();
    client.close();
    await once(client, 'close');
    const unit = createChannel(client, { side: 'unit', systemId });
    expect((await unit.closed).error.code).toBe('closed');
    await expect(unit.send(unitStatus)).rejects.toMatchObject({ code: 'closed' });
  });
});

async function waitForCount(peer: RawPeer, correlationId: string, count: number) {
  await peer.next(
    () => peer.received.filter((message) => message.value.data.correlationId === correlationId).length >= count,
  );
  return peer.received.filter((message) => message.value.data.correlationId === correlationId)[count - 1];
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
