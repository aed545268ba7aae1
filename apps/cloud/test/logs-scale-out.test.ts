/**
 * Logs across cloud processes: two built cloud processes (dist/server.js, after `pnpm build`) over
 * one PostgreSQL database. The unit is connected to A; the viewers ask B. B relays through
 * PostgreSQL LISTEN/NOTIFY to A, which asks the unit: a range (bigger than NOTIFY's 8000-byte
 * payload, one line alone is) comes back whole, and a follow keeps every line once, in order,
 * while the unit moves from A to B and back to A. Another SP is refused; a viewer that leaves
 * stops the follow on the unit.
 *
 * The unit is simulated over the real v7 channel (a log of numbered lines, positions `p:<n>`);
 * the agent's own follow across reconnects is unit-logs.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectTestUnit,
  hashProvisioningToken,
  provisionTestUnit,
  type TestUnit,
  type TestUnitIdentity,
} from '@openaos/api/testing';
import { createThrowawayDatabase, schema, type ThrowawayDatabase } from '@openaos/db';
import type { Credential } from '@openaos/pki';
import { CLOUD_HTTP_PATHS, createCertificateToken, formatCertificateAuthorization } from '@openaos/protocol';
import type { UnitChannel } from '@openaos/protocol/v7';
import { CLOUD_START_TIMEOUT_MS, startCloudProcess, type CloudProcess } from './cloud-process.js';
import { ADMIN_PASSWORD, credentialOf, seedCloud } from './console-fixture.js';

const TOKEN = 'a-provisioning-token-for-the-logs-scale-out-test';
const SYSTEM_ID = `unit-logs-relay-${randomBytes(3).toString('hex')}`;
/** A guard against a hang, not a measure: every wait returns as soon as its condition holds. */
const WAIT_TIMEOUT_MS = 60_000;

interface Prepared {
  spCredential: Credential;
  otherSpCredential: Credential;
  serviceId: string;
  subjectId: string;
  unitId: string;
}

/** Accounts (an OEM, two SPs), a service, a subject and a unit with a token, made in-process. */
function prepare(dataDir: string, databaseUrl: string): Promise<Prepared> {
  return seedCloud({ dataDir, databaseUrl }, async ({ deps, as, addUser }) => {
    const makeUser = async (kind: 'oem' | 'sp', email: string) =>
      as(await addUser(kind, `Org ${email}`, email, `a long ${kind} password`, kind));
    const oem = await makeUser('oem', 'o@maker.example');
    const sp = await makeUser('sp', 'p@provider.example');
    const otherSp = await makeUser('sp', 'q@other-provider.example');
    const serviceId = (await sp.services.create({ title: 'counter' })).id;
    await otherSp.services.create({ title: 'theirs' });
    const subjectId = (await oem.subjects.create({ name: 'cabin' })).id;
    const unitId = (await oem.units.create({ systemId: SYSTEM_ID, model: 'm' })).id;
    await deps.db
      .insert(schema.provisioningTokens)
      .values({ tokenHash: hashProvisioningToken(TOKEN), unitId, expiresAt: new Date(Date.now() + 3600_000) });
    // What the unit reports: the instance whose log is read.
    await deps.db.insert(schema.unitInstanceStatuses).values({
      unitId,
      itemId: serviceId,
      subjectId,
      instance: 0,
      version: '1.0.0',
      state: 'active',
      reportedAt: new Date(),
    });
    return {
      spCredential: await credentialOf(sp),
      otherSpCredential: await credentialOf(otherSp),
      serviceId,
      subjectId,
      unitId,
    };
  });
}

const authorization = (credential: Credential, method: string, path: string) =>
  formatCertificateAuthorization(createCertificateToken(credential, { method, path }));

async function waitUntil(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The unit's side of logs: a log that grows by a numbered line every 10 ms while followed,
 * `requestLog` answered with the whole log in gzip parts, `openaos.followLog` with batches every
 * 50 ms from the position asked (`p:<lines before>`).
 */
class SimulatedLog {
  readonly lines: string[] = [];
  readonly followRequests: { correlationId: string; from: string | undefined }[] = [];
  readonly stopped = new Set<string>();
  private writer: NodeJS.Timeout | undefined;

  constructor(initial: string[]) {
    this.lines.push(...initial);
  }

  startWriting(): void {
    this.writer ??= setInterval(() => this.lines.push(`line ${this.lines.length + 1}`), 10);
  }

  stopWriting(): void {
    clearInterval(this.writer);
    this.writer = undefined;
  }

  serve(channel: UnitChannel): void {
    const timers = new Set<NodeJS.Timeout>();
    void channel.closed.then(() => {
      for (const timer of timers) clearInterval(timer);
    });
    channel.on('requestLog', async (request) => {
      const gzip = gzipSync(`${this.lines.join('\n')}\n`);
      const size = 10_000;
      const count = Math.ceil(gzip.length / size);
      for (let part = 1; part <= count; part++)
        await channel.send({
          messageType: 'pushLog',
          correlationId: request.correlationId ?? null,
          node: { codename: 'main' },
          part,
          partsCount: count,
          content: gzip.subarray((part - 1) * size, part * size).toString('base64'),
          status: 'ok',
        });
    });
    channel.on('openaos.followLog', async (request) => {
      const correlationId = request.correlationId ?? '';
      this.followRequests.push({ correlationId, from: request.from });
      let sent = request.from ? Number(request.from.slice(2)) : this.lines.length;
      const batch = async () => {
        const lines = this.lines.slice(sent);
        const from = `p:${sent}`;
        sent += lines.length;
        await channel.send({
          messageType: 'openaos.logLines',
          correlationId,
          from,
          next: `p:${sent}`,
          lines,
          readAt: new Date().toISOString(),
        });
      };
      await batch();
      const timer = setInterval(() => {
        if (this.stopped.has(correlationId)) return clearInterval(timer);
        batch().catch(() => clearInterval(timer));
      }, 50);
      timers.add(timer);
    });
    channel.on('openaos.stopFollowLog', (request) => {
      this.stopped.add(request.correlationId ?? '');
    });
  }
}

/** A follow on `GET /api/logs?follow=1`, its events parsed as they come. */
function follow(url: string, credential: Credential, query: Record<string, string>) {
  const controller = new AbortController();
  const events: { name: string; id?: string; data: Record<string, unknown> }[] = [];
  const lines: string[] = [];
  const started = (async () => {
    const response = await fetch(`${url}${CLOUD_HTTP_PATHS.logs}?${new URLSearchParams({ ...query, follow: '1' })}`, {
      headers: { authorization: authorization(credential, 'GET', CLOUD_HTTP_PATHS.logs) },
      signal: controller.signal,
    });
    if (response.status !== 200) throw new Error(`follow: ${response.status} ${await response.text()}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: { name: string; id?: string; data: Record<string, unknown> } = { name: 'message', data: {} };
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event.name = line.slice(7);
          else if (line.startsWith('id: ')) event.id = line.slice(4);
          else if (line.startsWith('data: ')) event.data = JSON.parse(line.slice(6)) as Record<string, unknown>;
        }
        if (event.name === 'message') continue;
        events.push(event);
        if (event.name === 'lines') lines.push(...(event.data.lines as string[]));
      }
    }
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) throw error;
  });
  return { events, lines, started, stop: () => controller.abort() };
}

describe('logs of a unit held by another cloud process', () => {
  let database: ThrowawayDatabase;
  let dataDirA: string;
  let dataDirB: string;
  let prepared: Prepared;
  let processA: CloudProcess;
  let processB: CloudProcess;
  let identity: TestUnitIdentity;
  let unit: TestUnit | undefined;
  const log = new SimulatedLog([
    ...Array.from({ length: 3000 }, (_unused, index) => `old ${index} ${randomBytes(24).toString('hex')}`),
    // One line alone over NOTIFY's limit, and characters of more than one byte.
    `long ${'é'.repeat(12_000)}`,
  ]);

  const connect = async (cloud: CloudProcess) => {
    await unit?.close();
    unit = await connectTestUnit({ cloudUrl: cloud.url, identity, sendInitialStatus: false });
    log.serve(unit.channel);
  };

  beforeAll(async () => {
    database = await createThrowawayDatabase('postgres');
    dataDirA = await mkdtemp(join(tmpdir(), 'openaos-logs-a-'));
    dataDirB = await mkdtemp(join(tmpdir(), 'openaos-logs-b-'));
    prepared = await prepare(dataDirA, database.location);
    await cp(join(dataDirA, 'ca'), join(dataDirB, 'ca'), { recursive: true });
    const env = { DATABASE_URL: database.location, OPENAOS_ADMIN_PASSWORD: ADMIN_PASSWORD };
    [processA, processB] = await Promise.all([
      startCloudProcess({ dataDir: dataDirA, env }),
      startCloudProcess({ dataDir: dataDirB, env }),
    ]);
    identity = await provisionTestUnit({ cloudUrl: processA.url, systemId: SYSTEM_ID, token: TOKEN });
    await connect(processA);
  }, CLOUD_START_TIMEOUT_MS);
  afterAll(async () => {
    log.stopWriting();
    await unit?.close().catch(() => undefined);
    await processA?.stop();
    await processB?.stop();
    await database?.close();
    for (const directory of [dataDirA, dataDirB]) if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('reads a range through the other process, whole and in order', async () => {
    const response = await fetch(
      `${processB.url}${CLOUD_HTTP_PATHS.logs}?${new URLSearchParams({ service: prepared.serviceId, unit: SYSTEM_ID })}`,
      { headers: { authorization: authorization(prepared.spCredential, 'GET', CLOUD_HTTP_PATHS.logs) } },
    );
    expect(response.status, processB.output()).toBe(200);
    const records = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { lines?: string[]; done?: boolean; error?: unknown });
    expect(records.at(-1)).toEqual({ done: true });
    expect(records.flatMap((record) => record.lines ?? [])).toEqual(log.lines);
  });

  it('refuses another SP on either process', async () => {
    for (const cloud of [processA, processB]) {
      const response = await fetch(
        `${cloud.url}${CLOUD_HTTP_PATHS.logs}?${new URLSearchParams({ service: prepared.serviceId, unit: SYSTEM_ID })}`,
        { headers: { authorization: authorization(prepared.otherSpCredential, 'GET', CLOUD_HTTP_PATHS.logs) } },
      );
      expect(response.status).toBe(404);
      await response.body?.cancel();
    }
  });

  it('follows through the other process while the unit moves between processes, no line lost or repeated', async () => {
    log.startWriting();
    const viewer = follow(processB.url, prepared.spCredential, { service: prepared.serviceId, unit: SYSTEM_ID });
    const firstLine = log.lines.length;
    await waitUntil('lines through A', () => viewer.lines.length >= 20);
    // The unit moves to B (the viewer's process): the follow resumes there, from the last position.
    await connect(processB);
    const movedAt = viewer.lines.length;
    await waitUntil('lines after the move to B', () => viewer.lines.length >= movedAt + 20);
    // And back to A.
    await connect(processA);
    const backAt = viewer.lines.length;
    await waitUntil('lines after the move back to A', () => viewer.lines.length >= backAt + 20);
    viewer.stop();
    await viewer.started;

    // Every line once, in order: the numbered lines from where the follow started.
    const first = Number(viewer.lines[0]!.split(' ')[1]);
    expect(first).toBeGreaterThanOrEqual(firstLine - 3000);
    expect(viewer.lines).toEqual(
      Array.from({ length: viewer.lines.length }, (_unused, index) => `line ${first + index}`),
    );
    const names = viewer.events.map((event) => event.name).filter((name) => name !== 'lines');
    expect(names).toEqual(['waiting', 'resumed', 'waiting', 'resumed']);
    // Each resumed follow asked the unit from the position of the last line the viewer got.
    const resumed = log.followRequests.slice(-2);
    expect(resumed.every((request) => request.from !== undefined)).toBe(true);

    // The viewer left: the process holding the unit (A) stops the follow on it.
    await waitUntil('the follow stopped on the unit', () => log.stopped.has(resumed[1]!.correlationId));
    log.stopWriting();
  });
});
