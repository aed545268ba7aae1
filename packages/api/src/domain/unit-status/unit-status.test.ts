import { eq, sql } from 'drizzle-orm';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import type { Actor } from '../../actor.js';
import { registerCloudProcess } from '../cloud-processes.js';
import { createCloudFixture, type CloudFixture } from '../../testing/cloud-fixture.js';

async function expectCode(promise: Promise<unknown>, code: TRPCError['code']): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
}

const at = (iso: string) => new Date(iso);

describe.each(['pglite', 'postgres'] as const)('unit status queries on %s', (driver) => {
  let cloud: CloudFixture;
  let oem: Actor;
  let otherOem: Actor;
  let sp: Actor;
  let otherSp: Actor;
  let serviceId: string;
  let subjectId: string;
  const unitIds: Record<string, string> = {};

  const desired = (version: string, generation: number) => ({
    generation,
    digest: `digest-${generation}`,
    issuedAt: at('2026-01-01T00:00:00Z'),
    document: {
      items: [{ item: { id: serviceId, type: 'service', codename: 'Hello' }, version, indexDigest: 'sha256:00' }],
      instances: [{ item: { id: serviceId }, subject: { id: subjectId }, priority: 0, numInstances: 2 }],
      subjects: [],
      signature: 'x.y.z',
    },
  });

  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    oem = await cloud.addUser('oem', 'Maker', 'oem@maker.example');
    otherOem = await cloud.addUser('oem', 'Other maker', 'oem@other.example');
    sp = await cloud.addUser('sp', 'Provider', 'sp@provider.example');
    otherSp = await cloud.addUser('sp', 'Other provider', 'sp@other.example');
    serviceId = (await cloud.caller(sp).services.create({ title: 'Hello' })).id;
    subjectId = (await cloud.caller(oem).subjects.create({ name: 'fleet' })).id;
    for (const [version, state] of [
      ['1.0.0', 'approved'],
      ['1.0.1', 'ready'],
    ] as const) {
      await cloud.deps.db.insert(schema.serviceVersions).values({ serviceId, version, state });
    }
    for (const systemId of ['unit-a', 'unit-b', 'unit-c']) {
      unitIds[systemId] = (await cloud.caller(oem).units.create({ systemId, model: 'rpi4' })).id;
    }
    unitIds['foreign'] = (await cloud.caller(otherOem).units.create({ systemId: 'foreign', model: 'x' })).id;
    const { db } = cloud.deps;
    const a = unitIds['unit-a']!;
    const b = unitIds['unit-b']!;
    const foreign = unitIds['foreign']!;
    // unit-a: online through this (live) process, 1.0.1 desired, installed, one instance active, one failed.
    await db
      .update(schema.units)
      .set({
        state: 'provisioned',
        provisionedAt: at('2026-01-01T00:00:00Z'),
        connection: 'online',
        connectedProcess: cloud.deps.process.id,
        lastSeenAt: at('2026-01-01T01:00:00Z'),
      })
      .where(eq(schema.units.id, a));
    // unit-b: says online, but its process's heartbeat is older than the lease: offline; 1.0.0 active.
    const deadProcess = await registerCloudProcess(db);
    await db
      .update(schema.cloudProcesses)
      .set({ heartbeatAt: sql`now() - interval '1 hour'` })
      .where(eq(schema.cloudProcesses.id, deadProcess));
    await db
      .update(schema.units)
      .set({
        state: 'provisioned',
        connection: 'online',
        connectedProcess: deadProcess,
        lastSeenAt: at('2026-01-01T02:00:00Z'),
      })
      .where(eq(schema.units.id, b));
    // The other OEM's unit runs 1.0.1 too.
    await db
      .update(schema.units)
      .set({ connection: 'online', connectedProcess: cloud.deps.process.id })
      .where(eq(schema.units.id, foreign));
    await db.insert(schema.unitDesiredStatuses).values([
      { unitId: a, ...desired('1.0.1', 7) },
      { unitId: b, ...desired('1.0.0', 3) },
      { unitId: foreign, ...desired('1.0.1', 1) },
    ]);
    const reportedAt = at('2026-01-01T01:00:00Z');
    await db.insert(schema.unitItemStatuses).values([
      { unitId: a, itemId: serviceId, version: '1.0.1', state: 'installed', reportedAt },
      { unitId: b, itemId: serviceId, version: '1.0.0', state: 'installed', reportedAt },
      { unitId: foreign, itemId: serviceId, version: '1.0.1', state: 'installed', reportedAt },
    ]);
    const instance = (unitId: string, index: number, version: string, state: string, message?: string) => ({
      unitId,
      itemId: serviceId,
      subjectId,
      instance: index,
      version,
      state,
      reportedAt,
      ...(message ? { errorInfo: { message, exitCode: 3 } } : {}),
    });
    await db
      .insert(schema.unitInstanceStatuses)
      .values([
        instance(a, 0, '1.0.1', 'active'),
        instance(a, 1, '1.0.1', 'failed', 'start burst exceeded: exit code 3'),
        instance(b, 0, '1.0.0', 'active'),
        instance(foreign, 0, '1.0.1', 'active'),
      ]);
    await db.insert(schema.unitStatusEvents).values([
      { unitId: a, at: at('2026-01-01T00:00:00Z'), kind: 'connection', state: 'online' },
      {
        unitId: a,
        at: at('2026-01-01T00:30:00Z'),
        kind: 'item',
        subject: `${serviceId}@1.0.1`,
        state: 'installed',
        version: '1.0.1',
      },
      {
        unitId: a,
        at: at('2026-01-01T01:00:00Z'),
        kind: 'instance',
        subject: `${serviceId}/${subjectId}/1`,
        state: 'failed',
        version: '1.0.1',
        errorInfo: { message: 'start burst exceeded: exit code 3' },
      },
    ]);
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('lists units online only while the holding process lease is fresh, else offline with last seen', async () => {
    const units = await cloud.caller(oem).units.list();
    const bySystemId = new Map(units.map((unit) => [unit.systemId, unit]));
    expect(bySystemId.get('unit-a')).toMatchObject({ connection: 'online', state: 'provisioned', revokedAt: null });
    expect(bySystemId.get('unit-a')?.provisionedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(bySystemId.get('unit-b')).toMatchObject({ connection: 'offline', lastSeenAt: '2026-01-01T02:00:00.000Z' });
    expect(bySystemId.get('unit-c')).toMatchObject({ connection: 'offline', lastSeenAt: null, state: 'new' });
    expect(bySystemId.has('foreign')).toBe(false);

    // The process holding unit-a stops renewing: unit-a goes offline without anything touching its row.
    await cloud.deps.db
      .update(schema.cloudProcesses)
      .set({ heartbeatAt: sql`now() - make_interval(secs => ${cloud.deps.process.leaseSeconds + 1})` })
      .where(eq(schema.cloudProcesses.id, cloud.deps.process.id));
    expect((await cloud.caller(oem).units.get({ id: unitIds['unit-a']! })).connection).toBe('offline');
    await cloud.deps.db
      .update(schema.cloudProcesses)
      .set({ heartbeatAt: sql`now()` })
      .where(eq(schema.cloudProcesses.id, cloud.deps.process.id));
    expect((await cloud.caller(oem).units.get({ id: unitIds['unit-a']! })).connection).toBe('online');
  });

  it('shows one unit: desired generation and items, reported items and instances with reasons, recent history', async () => {
    const status = await cloud.caller(oem).units.status({ unit: 'unit-a' });
    expect(status.unit).toMatchObject({ systemId: 'unit-a', connection: 'online' });
    expect(status.desired).toMatchObject({
      generation: 7,
      items: [{ serviceId, title: 'Hello', version: '1.0.1' }],
      instances: [{ serviceId, subjectId, numInstances: 2, priority: 0 }],
    });
    expect(status.items).toEqual([
      {
        serviceId,
        title: 'Hello',
        version: '1.0.1',
        state: 'installed',
        errorInfo: null,
        reportedAt: '2026-01-01T01:00:00.000Z',
      },
    ]);
    expect(status.instances.map((instance) => [instance.instance, instance.state, instance.subjectName])).toEqual([
      [0, 'active', 'fleet'],
      [1, 'failed', 'fleet'],
    ]);
    expect(status.instances[1]?.errorInfo).toEqual({ message: 'start burst exceeded: exit code 3', exitCode: 3 });
    expect(status.recentEvents.map((event) => event.kind)).toEqual(['instance', 'item', 'connection']);

    const history = await cloud.caller(oem).units.history({ unit: unitIds['unit-a']!, limit: 2 });
    expect(history.events.map((event) => event.at)).toEqual(['2026-01-01T01:00:00.000Z', '2026-01-01T00:30:00.000Z']);
    await expectCode(cloud.caller(oem).units.history({ unit: 'unit-a', limit: 0 }), 'BAD_REQUEST');
    await expectCode(cloud.caller(oem).units.history({ unit: 'unit-a', limit: 501 }), 'BAD_REQUEST');

    const never = await cloud.caller(oem).units.status({ unit: 'unit-c' });
    expect(never).toMatchObject({ desired: null, items: [], instances: [], recentEvents: [] });
    expect(never.unit.connection).toBe('offline');
  });

  it('keeps unit status to the OEM users of its organisation', async () => {
    await expectCode(cloud.caller(otherOem).units.status({ unit: 'unit-a' }), 'NOT_FOUND');
    await expectCode(cloud.caller(otherOem).units.history({ unit: unitIds['unit-a']! }), 'NOT_FOUND');
    await expectCode(cloud.caller(sp).units.status({ unit: 'unit-a' }), 'FORBIDDEN');
    await expectCode(cloud.caller(null).units.status({ unit: 'unit-a' }), 'UNAUTHORIZED');
  });

  it('counts per version on how many units a service is desired, installed, active, failed — in the caller scope', async () => {
    const counts = async (actor: Actor) =>
      Object.fromEntries(
        (await cloud.caller(actor).status.service({ serviceId })).versions.map(({ version, ...rest }) => [
          version,
          rest,
        ]),
      );
    // The OEM: its own units only. unit-b is offline, so its active instance does not count.
    expect(await counts(oem)).toEqual({
      '1.0.1': { state: 'ready', desired: 1, installed: 1, active: 1, failed: 1, offline: 0 },
      '1.0.0': { state: 'approved', desired: 1, installed: 1, active: 0, failed: 0, offline: 1 },
    });
    // The other OEM sees its one unit.
    expect(await counts(otherOem)).toEqual({
      '1.0.1': { state: 'ready', desired: 1, installed: 1, active: 1, failed: 0, offline: 0 },
      '1.0.0': { state: 'approved', desired: 0, installed: 0, active: 0, failed: 0, offline: 0 },
    });
    // The owning SP: numbers over every unit.
    expect(await counts(sp)).toEqual({
      '1.0.1': { state: 'ready', desired: 2, installed: 2, active: 2, failed: 1, offline: 0 },
      '1.0.0': { state: 'approved', desired: 1, installed: 1, active: 0, failed: 0, offline: 1 },
    });
    await expectCode(cloud.caller(otherSp).status.service({ serviceId }), 'NOT_FOUND');
  });

  it('gives a fleet overview: unit counts for the OEM, per-service counts over all versions', async () => {
    const overview = await cloud.caller(oem).status.overview();
    expect(overview.scope).toBe('organisation-units');
    expect(overview.units).toEqual({ total: 3, online: 1, offline: 2, provisioned: 2, revoked: 0, failing: 1 });
    expect(overview.services).toEqual([
      { serviceId, title: 'Hello', desired: 2, installed: 2, active: 1, failed: 1, offline: 1 },
    ]);
    const ofSp = await cloud.caller(sp).status.overview();
    expect(ofSp.units).toBeNull();
    expect(ofSp.services.map((service) => [service.title, service.desired])).toEqual([['Hello', 3]]);
    expect((await cloud.caller(otherSp).status.overview()).services).toEqual([]);
  });
});
