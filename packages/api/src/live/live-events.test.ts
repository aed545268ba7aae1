import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { signIn, signOut, SESSION_COOKIE } from '../domain/sessions.js';
import { createCloudFixture, type CloudFixture } from '../testing/cloud-fixture.js';
import { createLiveEvents, type LiveEvents } from './live-events.js';
import type { LiveChange } from './live-scope.js';

const PASSWORD = 'correct horse battery staple'; // the fixture's

/** An open event stream: the events it got so far, and its end. */
interface Stream {
  events: { event: string; data: unknown }[];
  ended: Promise<void>;
  close(): void;
}

describe('live events (server-sent, scoped per viewer)', () => {
  let cloud: CloudFixture;
  let live: LiveEvents;
  let server: Server;
  let url: string;
  let serviceId: string;
  let unitId: string;
  let foreignUnitId: string;
  let spActor: Awaited<ReturnType<CloudFixture['addUser']>>;
  const cookies: Record<string, string> = {};
  const streams: Stream[] = [];

  const open = async (who: string | null): Promise<Stream> => {
    const controller = new AbortController();
    const response = await fetch(url, {
      headers: who ? { cookie: `${SESSION_COOKIE}=${cookies[who]}` } : {},
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream: Stream = { events: [], ended: Promise.resolve(), close: () => controller.abort() };
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    stream.ended = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) stream.events.push({ event, data: JSON.parse(data) as unknown });
          }
        }
      } catch {
        // aborted
      }
    })();
    streams.push(stream);
    await expect.poll(() => stream.events.some((event) => event.event === 'ready')).toBe(true);
    return stream;
  };
  const changes = (stream: Stream) =>
    stream.events.filter((event) => event.event === 'change').map((event) => event.data as LiveChange);

  beforeAll(async () => {
    cloud = await createCloudFixture('pglite');
    const emails = {
      oem: 'oem@maker.example',
      otherOem: 'oem@other.example',
      sp: 'sp@provider.example',
      otherSp: 'sp@other.example',
    };
    const oem = await cloud.addUser('oem', 'Maker', emails.oem);
    const otherOem = await cloud.addUser('oem', 'Other maker', emails.otherOem);
    const sp = await cloud.addUser('sp', 'Provider', emails.sp);
    spActor = sp;
    await cloud.addUser('sp', 'Other provider', emails.otherSp);
    for (const [who, email] of Object.entries(emails))
      cookies[who] = (await signIn(cloud.deps.db, { email, password: PASSWORD }, new Date(), 'in-process')).token;
    serviceId = (await cloud.caller(sp).services.create({ title: 'Hello' })).id;
    unitId = (await cloud.caller(oem).units.create({ systemId: 'car-1', model: 'rpi4' })).id;
    foreignUnitId = (await cloud.caller(otherOem).units.create({ systemId: 'car-9', model: 'x' })).id;
    await cloud.deps.db
      .insert(schema.unitItemStatuses)
      .values({ unitId, itemId: serviceId, version: '1.0.0', state: 'installed', reportedAt: new Date() });
    live = createLiveEvents(cloud.deps, { path: '/api/live', heartbeatMs: 100 });
    server = createServer((request, response) => {
      if (!live.handleRequest(request, response)) response.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/live`;
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    live?.close();
    server?.close();
    await cloud?.close();
  });

  it('refuses a caller without a session', async () => {
    const response = await fetch(url);
    expect(response.status).toBe(401);
    expect(await response.text()).toMatch(/sign in/);
  });

  it('tells each viewer only the changes of what they may see', async () => {
    const oem = await open('oem');
    const otherOem = await open('otherOem');
    const sp = await open('sp');
    const otherSp = await open('otherSp');
    await expect.poll(() => live.viewerCount()).toBe(4);
    await cloud.deps.unitEvents.announce({ kind: 'alerts-changed', unitIds: [unitId], serviceIds: [serviceId] });
    // A status change names no services: those the unit reports are the ones it concerns.
    await cloud.deps.unitEvents.announce({ kind: 'status-changed', unitIds: [unitId] });
    await cloud.deps.unitEvents.announce({ kind: 'status-changed', unitIds: [foreignUnitId] });
    await expect.poll(() => changes(otherOem).length).toBe(1);
    await expect.poll(() => changes(oem).length).toBe(2);
    expect(changes(oem)).toEqual([
      { kind: 'alerts-changed', unitIds: [unitId], serviceIds: [serviceId] },
      { kind: 'status-changed', unitIds: [unitId], serviceIds: [serviceId] },
    ]);
    expect(changes(otherOem)).toEqual([{ kind: 'status-changed', unitIds: [foreignUnitId], serviceIds: [] }]);
    expect(changes(sp)).toEqual([
      { kind: 'alerts-changed', unitIds: [], serviceIds: [serviceId] },
      { kind: 'status-changed', unitIds: [], serviceIds: [serviceId] },
    ]);
    expect(changes(otherSp)).toEqual([]);
  });

  it('tells of a service created, by whom it may concern: its SP, every OEM, not another SP', async () => {
    const oem = await open('oem');
    const sp = await open('sp');
    const otherSp = await open('otherSp');
    await expect.poll(() => live.viewerCount()).toBeGreaterThanOrEqual(3);
    const created = await cloud.caller(spActor).services.create({ title: 'Created live' });
    const expected = { kind: 'catalogue-changed', unitIds: [], serviceIds: [created.id] };
    await expect.poll(() => changes(sp).filter((change) => change.kind === 'catalogue-changed')).toEqual([expected]);
    await expect.poll(() => changes(oem).filter((change) => change.kind === 'catalogue-changed')).toEqual([expected]);
    // Another SP hears nothing of it (the same bus delivered it to the others above, in order).
    await cloud.deps.unitEvents.announce({ kind: 'alerts-changed', unitIds: [unitId], serviceIds: [serviceId] });
    await expect.poll(() => changes(oem).length).toBe(2);
    expect(changes(otherSp)).toEqual([]);
  });

  it('ends the stream of a viewer whose session ended', async () => {
    const stream = await open('otherSp');
    await signOut(cloud.deps.db, cookies.otherSp!);
    await stream.ended;
    expect(stream.events.at(-1)?.event).toBe('signed-out');
  });
});
