import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  createChannel,
  type CloudChannel,
  type FollowLog,
  type RequestLog,
  type UnitChannel,
} from '@openaos/protocol/v7';
import { ApiError } from '../../errors.js';
import { fetchLog } from './fetch-log.js';
import { LogHub, type FollowEvent } from './log-hub.js';

const systemId = 'unit-hub';
const target = {
  unitId: 'unit-1',
  systemId,
  serviceId: '5b2c3a8e-1f0d-4c6b-9a7e-2d3f4b5c6d7e',
  subjectId: '0f1e2d3c-4b5a-4968-8776-655443322110',
  instance: 0,
};

/** A cloud channel and a unit channel over a real loopback WebSocket. */
async function connect(): Promise<{ cloud: CloudChannel; unit: UnitChannel; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws/v7/`);
  await once(client, 'open');
  const [server] = await accepted;
  const cloud = createChannel(server, { side: 'cloud', systemId });
  const unit = createChannel(client, { side: 'unit', systemId });
  return {
    cloud,
    unit,
    async close() {
      client.terminate();
      server.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('the cloud’s log hub', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const connection of open.splice(0)) await connection.close();
  });

  async function attached(hub: LogHub) {
    const connection = await connect();
    open.push(connection);
    hub.attach(target.unitId, connection.cloud);
    return connection;
  }

  it('gunzips a requested range from its parts as they come', async () => {
    const hub = new LogHub();
    const { unit } = await attached(hub);
    const text = Array.from({ length: 2000 }, (_unused, index) => `line ${index}`).join('\n');
    const gzip = gzipSync(text);
    const size = Math.ceil(gzip.length / 3);
    unit.on('requestLog', async (request: RequestLog) => {
      for (let part = 1; part <= 3; part++)
        await unit.send({
          messageType: 'pushLog',
          correlationId: request.correlationId ?? null,
          node: { codename: 'main' },
          part,
          partsCount: 3,
          content: gzip.subarray((part - 1) * size, part * size).toString('base64'),
          status: 'ok',
        });
    });
    const stream = await fetchLog(hub, { ...target, logType: 'instanceLog', filter: {}, what: 'the log' });
    expect(await readAll(stream)).toBe(text);
  });

  it('turns the unit’s answers into errors that say why: absent, refused, out of order, disconnected', async () => {
    const hub = new LogHub();
    const { unit } = await attached(hub);
    let answer: 'absent' | 'failed' | 'disorder' | 'vanish' = 'absent';
    unit.on('requestLog', async (request) => {
      const base = {
        messageType: 'pushLog' as const,
        correlationId: request.correlationId ?? null,
        node: { codename: 'main' },
      };
      if (answer === 'absent') await unit.send({ ...base, status: 'absent', errorInfo: { message: 'no log of x' } });
      if (answer === 'failed') await unit.send({ ...base, status: 'failed', errorInfo: { message: 'over the limit' } });
      if (answer === 'disorder') {
        await unit.send({ ...base, status: 'ok', part: 1, partsCount: 3, content: gzipSync('a').toString('base64') });
        await unit.send({ ...base, status: 'ok', part: 3, partsCount: 3, content: '' });
      }
      if (answer === 'vanish') {
        await unit.send({ ...base, status: 'ok', part: 1, partsCount: 2, content: '' });
        unit.close('gone');
      }
    });
    const request = { ...target, logType: 'instanceLog' as const, filter: {}, what: 'the log' };
    await expect(fetchLog(hub, request)).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('no log of x'),
    });
    answer = 'failed';
    await expect(fetchLog(hub, request)).rejects.toMatchObject({
      code: 'unit-refused',
      message: expect.stringContaining('over the limit'),
    });
    answer = 'disorder';
    await expect(readAll(await fetchLog(hub, request))).rejects.toThrow(/part 3 .* where part 2 of 3 was due/);
    answer = 'vanish';
    await expect(readAll(await fetchLog(hub, request))).rejects.toThrow(/disconnected while sending the log/);
    await expect(fetchLog(hub, request)).rejects.toBeInstanceOf(ApiError);
  });

  it('resumes a follow on the unit’s next connection from the last position delivered, under a new id', async () => {
    const hub = new LogHub();
    const first = await attached(hub);
    const requests: FollowLog[] = [];
    const serve = (unit: UnitChannel, lines: string[], from: string, next: string) =>
      unit.on('openaos.followLog', async (request) => {
        requests.push(request);
        await unit.send({
          messageType: 'openaos.logLines',
          correlationId: request.correlationId ?? '',
          from,
          next,
          lines,
          readAt: new Date().toISOString(),
        });
      });
    serve(first.unit, ['one', 'two'], 'f:0', 'f:8');
    const events: FollowEvent[] = [];
    const { stop } = hub.follow(target, { tailLines: 2 }, (event) => events.push(event));
    await waitUntil(() => events.length >= 1);
    expect(events[0]).toMatchObject({ type: 'lines', lines: ['one', 'two'], next: 'f:8' });
    expect(requests[0]).toMatchObject({ tailLines: 2, item: { id: target.serviceId }, instance: 0 });

    // A late batch of the first follow after the unit is gone is dropped; the viewer is told it waits.
    await first.close();
    await waitUntil(() => events.some((event) => event.type === 'waiting'));
    const second = await attached(hub);
    serve(second.unit, ['three'], 'f:8', 'f:14');
    await waitUntil(() => events.some((event) => event.type === 'lines' && event.lines.includes('three')));
    expect(requests[1]?.from).toBe('f:8');
    expect(requests[1]?.correlationId).not.toBe(requests[0]?.correlationId);
    expect(events.map((event) => event.type)).toEqual(['lines', 'waiting', 'resumed', 'lines']);
    stop();
  });

  it('passes on the end of a follow the unit stops, with its reason', async () => {
    const hub = new LogHub();
    const connection = await attached(hub);
    const events: FollowEvent[] = [];
    connection.unit.on('openaos.followLog', async (request) => {
      await connection.unit.send({
        messageType: 'openaos.logLines',
        correlationId: request.correlationId ?? '',
        from: 'x',
        next: 'x',
        lines: [],
        readAt: new Date().toISOString(),
        status: 'ended',
        errorInfo: { message: 'no instance here' },
      });
    });
    hub.follow(target, {}, (event) => events.push(event));
    await waitUntil(() => events.length > 0);
    expect(events).toEqual([{ type: 'ended', message: 'no instance here' }]);
  });
});
