import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createChannel, type CloudChannel, type LogLines, type PushLog } from '@openaos/protocol/v7';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { instancePaths, resolveStoragePaths } from '../paths.js';
import { createInstanceId } from '../persist/instance-id.js';
import { agentLogPath } from './agent-log-file.js';
import { serveLogs } from './serve-logs.js';

const systemId = 'unit-serve-logs';
const serviceId = '5b2c3a8e-1f0d-4c6b-9a7e-2d3f4b5c6d7e';
const subjectId = '0f1e2d3c-4b5a-4968-8776-655443322110';
const item = { id: serviceId };
const subject = { id: subjectId };

describe('serving logs on the unit channel', () => {
  let root = '';
  let pair: SocketPair;
  let cloud: CloudChannel;
  let log = '';
  const parts = new Map<string, PushLog[]>();
  const batches: LogLines[] = [];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'openaos-serve-logs-'));
    const paths = resolveStoragePaths(root);
    log = instancePaths(paths, createInstanceId(serviceId, subjectId, 0)).log;
    await mkdir(join(log, '..'), { recursive: true });
    pair = await openSocketPair();
    cloud = createChannel(pair.server, { side: 'cloud', systemId });
    const unit = createChannel(pair.client, { side: 'unit', systemId });
    serveLogs(unit, { paths, options: { nodeId: 'main' } }, () => undefined, {
      partBytes: 64,
      maxRequestBytes: 4096,
      followPollMs: 10,
    });
    parts.clear();
    batches.length = 0;
    cloud.on('pushLog', (part) => {
      const list = parts.get(part.correlationId ?? '') ?? [];
      list.push(part);
      parts.set(part.correlationId ?? '', list);
    });
    cloud.on('openaos.logLines', (batch) => {
      batches.push(batch);
    });
  });
  afterEach(async () => {
    cloud.close();
    await pair.close();
    await rm(root, { recursive: true, force: true });
  });

  async function request(id: string, filter: Record<string, unknown>, logType = 'instanceLog'): Promise<PushLog[]> {
    await cloud.send({ messageType: 'requestLog', correlationId: id, logType: logType as 'instanceLog', filter });
    await waitUntil(() => {
      const list = parts.get(id) ?? [];
      return list.length > 0 && (list[0]?.status !== 'ok' || list.length === list[0]?.partsCount);
    });
    return parts.get(id) ?? [];
  }

  it('sends an instance’s rotated files in order as gzip parts of bounded size, numbered from 1', async () => {
    const older = Array.from(
      { length: 20 },
      (_unused, index) => `older ${index} ${randomBytes(8).toString('hex')}\n`,
    ).join('');
    const newer = Array.from(
      { length: 20 },
      (_unused, index) => `newer ${index} ${randomBytes(8).toString('hex')}\n`,
    ).join('');
    await writeFile(`${log}.1`, older);
    await writeFile(log, newer);
    const received = await request('all', { item, subject, instance: 0 });
    expect(received.length).toBeGreaterThan(2);
    expect(received.map((part) => part.part)).toEqual(received.map((_part, index) => index + 1));
    for (const part of received) {
      expect(part.partsCount).toBe(received.length);
      expect(Buffer.from(part.content ?? '', 'base64').length).toBeLessThanOrEqual(64);
    }
    const gzip = Buffer.concat(received.map((part) => Buffer.from(part.content ?? '', 'base64')));
    expect(gunzipSync(gzip).toString()).toBe(older + newer);
    // Nothing is left behind on the unit: the parts file goes once the last part is acknowledged,
    // which the unit learns after this side has the part.
    await expect.poll(() => readdir(join(root, 'agent', 'log-parts')), { timeout: 10_000 }).toEqual([]);
  });

  it('selects files by when they were written, and says empty or absent', async () => {
    await writeFile(`${log}.1`, 'yesterday\n');
    await writeFile(log, 'today\n');
    const yesterday = new Date(Date.now() - 24 * 3600_000);
    await utimes(`${log}.1`, yesterday, yesterday);
    const recent = await request('recent', {
      item,
      subject,
      instance: 0,
      from: new Date(Date.now() - 3600_000).toISOString(),
    });
    expect(gunzipSync(Buffer.concat(recent.map((part) => Buffer.from(part.content ?? '', 'base64')))).toString()).toBe(
      'today\n',
    );
    const future = await request('future', {
      item,
      subject,
      instance: 0,
      from: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(future.map((part) => part.status)).toEqual(['empty']);
    const other = await request('other', { item, subject, instance: 5 });
    expect(other[0]?.status).toBe('absent');
    expect(other[0]?.errorInfo?.message).toContain(`${serviceId}/${subjectId}/5`);
  });

  it('refuses a range over its limit with the size and what to do, instead of cutting it', async () => {
    await writeFile(log, 'x'.repeat(5000));
    const [answer] = await request('huge', { item, subject, instance: 0 });
    expect(answer?.status).toBe('failed');
    expect(answer?.errorInfo?.message).toMatch(/holds 5000 bytes, over this unit's limit of 4096 .*shorter time range/);
  });

  it('cuts the agent’s own log per line by the time at its start', async () => {
    const agentLog = agentLogPath(resolveStoragePaths(root));
    await mkdir(join(agentLog, '..'), { recursive: true });
    // Times around now: the file is born now, and a file born after the range's end is skipped
    // whole before its lines are read, so the range must reach past now (the late line is ahead).
    const at = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();
    await writeFile(agentLog, `${at(-3)} early\n${at(-2)} in range\n  continued\n${at(2)} late\n`);
    const received = await request('agent', { from: at(-2.5), till: at(1) }, 'systemLog');
    expect(
      gunzipSync(Buffer.concat(received.map((part) => Buffer.from(part.content ?? '', 'base64')))).toString(),
    ).toMatch(/^\S+ in range\n {2}continued\n$/);
  });

  it('streams new lines of a follow with positions, resumes from one, and stops when told', async () => {
    await writeFile(log, 'before\n');
    await cloud.send({
      messageType: 'openaos.followLog',
      correlationId: 'f1',
      item,
      subject,
      instance: 0,
      tailLines: 1,
    });
    await waitUntil(() => batches.some((batch) => batch.lines.includes('before')));
    await writeFile(log, 'before\nafter 1\nafter 2\n');
    await waitUntil(() => batches.flatMap((batch) => batch.lines).includes('after 2'));
    expect(batches.flatMap((batch) => batch.lines)).toEqual(['before', 'after 1', 'after 2']);
    const resumeAt = batches.find((batch) => batch.lines.includes('before'))?.next ?? '';
    await cloud.send({ messageType: 'openaos.stopFollowLog', correlationId: 'f1' });
    batches.length = 0;
    await cloud.send({
      messageType: 'openaos.followLog',
      correlationId: 'f2',
      item,
      subject,
      instance: 0,
      from: resumeAt,
    });
    await waitUntil(() => batches.flatMap((batch) => batch.lines).includes('after 2'));
    expect(batches.flatMap((batch) => batch.lines)).toEqual(['after 1', 'after 2']);
    expect(batches[0]?.from).toBe(resumeAt);
  });

  it('ends a follow of an instance the unit does not have, saying so', async () => {
    await cloud.send({ messageType: 'openaos.followLog', correlationId: 'none', item, subject, instance: 9 });
    await waitUntil(() => batches.length > 0);
    expect(batches[0]?.status).toBe('ended');
    expect(batches[0]?.errorInfo?.message).toContain(`no instance ${serviceId}/${subjectId}/9`);
  });
});

interface SocketPair {
  server: WebSocket;
  client: WebSocket;
  close(): Promise<void>;
}

/** A real WebSocket over loopback: the cloud's end and the unit's. */
async function openSocketPair(): Promise<SocketPair> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws/v7/`);
  await once(client, 'open');
  const [server] = await accepted;
  return {
    server,
    client,
    async close() {
      client.terminate();
      server.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
