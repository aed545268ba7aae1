import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  computeStateChecksum,
  createChannel,
  type CloudChannel,
  type MessageOf,
  type UnitChannel,
} from '@openaos/protocol/v7';
import type { UnitStatus } from '../formats/unit-status.js';
import { createInstanceId } from '../persist/instance-id.js';
import { StateSync } from './state-sync.js';

const SERVICE = '2efd1506-564e-40de-9466-66ae7a25fac0';
const SUBJECT = 'fleet';
const INSTANCE_ID = createInstanceId(SERVICE, SUBJECT, 0);
const status = (present: boolean): UnitStatus => ({
  messageType: 'unitStatus',
  isDeltaInfo: false,
  nodes: [],
  services: [],
  instances: present
    ? [{ serviceId: SERVICE, subjectId: SUBJECT, instance: 0, version: '1.0.0', status: 'active' }]
    : [],
});

describe('state sync (agent side) over a real channel', () => {
  let directory: string;
  let statePath: string;
  let recordPath: string;
  let server: WebSocketServer;
  let cloud: CloudChannel;
  let unit: UnitChannel;
  let sync: StateSync;
  const received: (MessageOf<'newState'> | MessageOf<'stateRequest'>)[] = [];
  const logs: string[] = [];
  const waitForMessage = async <T extends 'newState' | 'stateRequest'>(type: T, count = 1) => {
    await expect
      .poll(() => received.filter((message) => message.messageType === type).length, { timeout: 10_000 })
      .toBe(count);
    return received.filter((message) => message.messageType === type).at(-1) as MessageOf<T>;
  };

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'openaos-state-sync-'));
    statePath = join(directory, INSTANCE_ID, 'state.dat');
    recordPath = join(directory, 'state-sync.json');
    await mkdir(join(directory, INSTANCE_ID));
    await writeFile(statePath, '');
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const accepted = once(server, 'connection') as Promise<[WebSocket]>;
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/v7/`);
    await once(client, 'open');
    const [serverSocket] = await accepted;
    cloud = createChannel(serverSocket, { side: 'cloud', systemId: 'car-1' });
    unit = createChannel(client, { side: 'unit', systemId: 'car-1' });
    received.length = 0;
    logs.length = 0;
    cloud.on('newState', (message) => void received.push(message));
    cloud.on('stateRequest', (message) => void received.push(message));
    sync = new StateSync({
      statePathOf: (id) => join(directory, id, 'state.dat'),
      recordPath,
      log: (line) => logs.push(line),
      pollMs: 50,
    });
  });
  afterEach(async () => {
    sync.stop();
    unit.close('test done');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(directory, { recursive: true, force: true });
  });

  it('asks for a fresh instance’s state, writes the answer in place, then sends its changes', async () => {
    sync.attach(unit);
    sync.observe(status(true));
    const request = await waitForMessage('stateRequest');
    expect(request).toMatchObject({
      item: { id: SERVICE },
      subject: { codename: SUBJECT },
      instance: 0,
      default: false,
    });
    // What the service writes before the cloud answered is not sent: the cloud's state comes first.
    await writeFile(statePath, 'written too early');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.filter((message) => message.messageType === 'newState')).toEqual([]);
    const inode = (await stat(statePath)).ino;
    await cloud.send({
      messageType: 'updateState',
      item: { id: SERVICE },
      subject: { codename: SUBJECT },
      instance: 0,
      stateChecksum: computeStateChecksum('count=5\n'),
      state: 'count=5\n',
    });
    await expect.poll(() => readFile(statePath, 'utf8')).toBe('count=5\n');
    expect((await stat(statePath)).ino).toBe(inode);
    await sync.settled();
    expect(received.filter((message) => message.messageType === 'newState')).toEqual([]);
    // The service changes it: one newState, accepted; the entry keeps its checksum.
    await writeFile(statePath, 'count=6\n');
    const sent = await waitForMessage('newState');
    expect(sent).toMatchObject({ state: 'count=6\n', stateChecksum: computeStateChecksum('count=6\n') });
    await cloud.send({
      messageType: 'stateAcceptance',
      item: { id: SERVICE },
      subject: { codename: SUBJECT },
      instance: 0,
      checksum: sent.stateChecksum,
      result: 'accepted',
      reason: '',
    });
    await expect
      .poll(async () => JSON.parse(await readFile(recordPath, 'utf8').catch(() => '{}')))
      .toEqual({ [INSTANCE_ID]: { checksum: sent.stateChecksum } });
    // An updateState whose checksum does not match its content is ignored.
    await cloud.send({
      messageType: 'updateState',
      item: { id: SERVICE },
      subject: { codename: SUBJECT },
      instance: 0,
      stateChecksum: computeStateChecksum('other'),
      state: 'tampered',
    });
    await expect.poll(() => logs.some((line) => line.includes('checksum does not match'))).toBe(true);
    expect(await readFile(statePath, 'utf8')).toBe('count=6\n');
    // Removed: its entry goes, so installing it again is fresh.
    sync.observe(status(false));
    await sync.settled();
    expect(JSON.parse(await readFile(recordPath, 'utf8'))).toEqual({});
  });

  it('sends a state that changed while the agent was away, and a refused one only once per content', async () => {
    await writeFile(recordPath, JSON.stringify({ [INSTANCE_ID]: { checksum: computeStateChecksum('old') } }));
    await writeFile(statePath, 'changed offline');
    sync.attach(unit);
    sync.observe(status(true));
    const sent = await waitForMessage('newState');
    expect(sent.state).toBe('changed offline');
    expect(received.some((message) => message.messageType === 'stateRequest')).toBe(false);
    await cloud.send({
      messageType: 'stateAcceptance',
      item: { id: SERVICE },
      subject: { codename: SUBJECT },
      instance: 0,
      checksum: sent.stateChecksum,
      result: 'rejected',
      reason: 'over the limit',
    });
    await expect
      .poll(() => logs.some((line) => line.includes('refused the state') && line.includes('over the limit')))
      .toBe(true);
    sync.observe(status(true));
    await sync.settled();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.filter((message) => message.messageType === 'newState')).toHaveLength(1);
    await writeFile(statePath, 'smaller');
    expect((await waitForMessage('newState', 2)).state).toBe('smaller');
  });
});
