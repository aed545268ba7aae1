import { eq } from 'drizzle-orm';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import type { Alert } from '@openaos/protocol/v7';
import type { Actor } from '../../actor.js';
import { createCloudFixture, type CloudFixture } from '../../testing/cloud-fixture.js';
import { recordAlerts } from './record-alerts.js';
import { pruneUnitAlerts } from './retention.js';

async function expectCode(promise: Promise<unknown>, code: TRPCError['code']): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
  return (error as TRPCError).message;
}

describe.each(['pglite', 'postgres'] as const)('alerts on %s', (driver) => {
  let cloud: CloudFixture;
  let oem: Actor;
  let otherOem: Actor;
  let sp: Actor;
  let otherSp: Actor;
  let serviceId: string;
  let otherServiceId: string;
  let unitId: string;
  let foreignUnitId: string;
  let clock = new Date('2026-12-01T10:00:00Z');
  const tick = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));
  const record = (unit: string, alerts: Alert[]) => recordAlerts({ db: cloud.deps.db, now: () => clock }, unit, alerts);

  const quota = (state: 'raise' | 'continue' | 'fall' | undefined, value: number, at: string): Alert => ({
    timestamp: at,
    tag: 'instanceQuotaAlert',
    item: { id: serviceId },
    subject: { codename: 'fleet' },
    instance: 0,
    parameter: 'ram',
    value,
    ...(state ? { state } : {}),
  });

  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    oem = await cloud.addUser('oem', 'Maker', 'oem@maker.example');
    otherOem = await cloud.addUser('oem', 'Other maker', 'oem@other.example');
    sp = await cloud.addUser('sp', 'Provider', 'sp@provider.example');
    otherSp = await cloud.addUser('sp', 'Other provider', 'sp@other.example');
    serviceId = (await cloud.caller(sp).services.create({ title: 'Hello' })).id;
    otherServiceId = (await cloud.caller(otherSp).services.create({ title: 'Theirs' })).id;
    unitId = (await cloud.caller(oem).units.create({ systemId: 'car-1', model: 'rpi4' })).id;
    foreignUnitId = (await cloud.caller(otherOem).units.create({ systemId: 'car-9', model: 'x' })).id;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('keeps a quota alert as one episode: active from its raise until its fall', async () => {
    await record(unitId, [quota('raise', 30_000_000, '2026-12-01T10:00:00Z')]);
    let [episode] = await cloud
      .caller(oem)
      .alerts.list({ unit: 'car-1', kinds: ['instance-quota'] })
      .then((p) => p.alerts);
    expect(episode).toMatchObject({ active: true, state: 'raise', value: 30_000_000, events: 1, fallenAt: null });
    expect(episode!.service).toEqual({ id: serviceId, title: 'Hello' });
    tick(10);
    await record(unitId, [quota('continue', 34_000_000, '2026-12-01T10:00:10Z')]);
    await record(unitId, [quota('continue', 31_000_000, '2026-12-01T10:00:20Z')]);
    [episode] = await cloud
      .caller(oem)
      .alerts.list({ unit: 'car-1', active: true })
      .then((p) => p.alerts);
    expect(episode).toMatchObject({ active: true, state: 'continue', value: 31_000_000, peak: 34_000_000, events: 3 });
    await record(unitId, [quota('fall', 1_000_000, '2026-12-01T10:00:40Z')]);
    expect((await cloud.caller(oem).alerts.list({ unit: 'car-1', active: true })).alerts).toEqual([]);
    const all = (await cloud.caller(oem).alerts.list({ unit: 'car-1', kinds: ['instance-quota'] })).alerts;
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      active: false,
      state: 'fall',
      raisedAt: '2026-12-01T10:00:00.000Z',
      fallenAt: '2026-12-01T10:00:40.000Z',
      events: 4,
    });
    // A new raise is a new episode; a quota alert without the state field stands alone.
    await record(unitId, [
      quota('raise', 40_000_000, '2026-12-01T11:00:00Z'),
      quota(undefined, 5, '2026-12-01T11:00:01Z'),
    ]);
    const after = (await cloud.caller(oem).alerts.list({ unit: 'car-1', kinds: ['instance-quota'] })).alerts;
    expect(after.map((alert) => [alert.active, alert.state])).toEqual([
      [false, null],
      [true, 'raise'],
      [false, 'fall'],
    ]);
  });

  it('keeps only the latest download progress of each blob', async () => {
    const progress = (state: 'started' | 'finished', bytes: number, at: string): Alert => ({
      timestamp: at,
      tag: 'downloadProgressAlert',
      digest: 'sha256:abc',
      url: 'http://cloud/blob',
      downloadedBytes: bytes,
      totalBytes: 1000,
      state,
    });
    await record(unitId, [
      progress('started', 0, '2026-12-01T12:00:00Z'),
      progress('started', 500, '2026-12-01T12:00:01Z'),
    ]);
    await record(unitId, [progress('finished', 1000, '2026-12-01T12:00:02Z')]);
    const downloads = (await cloud.caller(oem).alerts.list({ unit: 'car-1', kinds: ['download'] })).alerts;
    expect(downloads).toHaveLength(1);
    expect(downloads[0]).toMatchObject({
      parameter: 'sha256:abc',
      state: 'finished',
      value: 1000,
      peak: 1000,
      events: 3,
    });
  });

  it('shows the OEM its units, the SP its services’ instance alerts without the unit, and nothing to others', async () => {
    await record(unitId, [
      { timestamp: '2026-12-01T13:00:00Z', tag: 'systemAlert', node: { codename: 'main' }, message: 'disk is failing' },
      {
        timestamp: '2026-12-01T13:00:01Z',
        tag: 'updateItemInstanceAlert',
        item: { id: otherServiceId },
        subjectId: { codename: 'fleet' },
        instance: 0,
        version: '1.0.0',
        message: 'instance failed: exit code 3',
      },
    ]);
    await record(foreignUnitId, [quota('raise', 1, '2026-12-01T13:00:02Z')]);
    const oemAlerts = (await cloud.caller(oem).alerts.list({})).alerts;
    expect(oemAlerts.every((alert) => alert.unit?.systemId === 'car-1')).toBe(true);
    expect(oemAlerts[0]).toMatchObject({ kind: 'instance', message: 'instance failed: exit code 3' });
    const spAlerts = (await cloud.caller(sp).alerts.list({})).alerts;
    expect(spAlerts.length).toBeGreaterThan(0);
    expect(spAlerts.every((alert) => alert.service?.id === serviceId && alert.unit === null)).toBe(true);
    expect(spAlerts.some((alert) => alert.kind === 'system' || alert.kind === 'download')).toBe(false);
    await expectCode(
      cloud.caller(await cloud.addUser('sp', 'Empty provider', 'sp@empty.example')).alerts.list({ serviceId }),
      'NOT_FOUND',
    );
    const theirs = (await cloud.caller(otherSp).alerts.list({})).alerts;
    expect(theirs.map((alert) => alert.kind)).toEqual(['instance']);
    await expectCode(cloud.caller(otherSp).alerts.list({ serviceId }), 'NOT_FOUND');
    expect(await expectCode(cloud.caller(sp).alerts.list({ unit: 'car-1' }), 'FORBIDDEN')).toMatch(/--service/);
    await expectCode(cloud.caller(oem).alerts.list({ unit: 'car-9' }), 'NOT_FOUND');
    expect((await cloud.caller(otherOem).alerts.list({})).alerts.map((alert) => alert.unit?.systemId)).toEqual([
      'car-9',
    ]);
    await expectCode(cloud.caller(null).alerts.list({}), 'UNAUTHORIZED');
    const admin = (await cloud.caller(cloud.admin).alerts.list({ serviceId })).alerts;
    expect(admin.some((alert) => alert.unit?.systemId === 'car-9')).toBe(true);
  });

  it('filters by time and pages newest first', async () => {
    const pageSize = 2;
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await cloud
        .caller(oem)
        .alerts.list({ unit: 'car-1', limit: pageSize, ...(cursor ? { cursor } : {}) });
      seen.push(...page.alerts.map((alert) => alert.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const all = (await cloud.caller(oem).alerts.list({ unit: 'car-1', limit: 500 })).alerts;
    expect(seen).toEqual(all.map((alert) => alert.id));
    const times = all.map((alert) => alert.lastAt);
    expect([...times].sort().reverse()).toEqual(times);
    const recent = await cloud.caller(oem).alerts.list({ unit: 'car-1', since: '2026-12-01T12:30:00Z' });
    expect(recent.alerts.map((alert) => alert.kind).sort()).toEqual(['instance', 'system']);
    await expectCode(cloud.caller(oem).alerts.list({ since: 'yesterday' }), 'BAD_REQUEST');
    await expectCode(cloud.caller(oem).alerts.list({ cursor: 'bm90IGEgY3Vyc29y' }), 'BAD_REQUEST');
  });

  it('prunes the oldest inactive rows past the per-unit bound, never an active episode', async () => {
    const before = await cloud.deps.db.select().from(schema.unitAlerts).where(eq(schema.unitAlerts.unitId, unitId));
    const active = before.filter((row) => row.active);
    expect(active.length).toBeGreaterThan(0);
    await pruneUnitAlerts(cloud.deps.db, unitId, clock, { perUnit: 2, maxAgeDays: 30 });
    const after = await cloud.deps.db.select().from(schema.unitAlerts).where(eq(schema.unitAlerts.unitId, unitId));
    expect(after.filter((row) => !row.active)).toHaveLength(2);
    expect(after.filter((row) => row.active).map((row) => row.id)).toEqual(active.map((row) => row.id));
    await pruneUnitAlerts(cloud.deps.db, unitId, new Date('2027-06-01T00:00:00Z'));
    const old = await cloud.deps.db.select().from(schema.unitAlerts).where(eq(schema.unitAlerts.unitId, unitId));
    expect(old.map((row) => row.id)).toEqual(active.map((row) => row.id));
  });
});
