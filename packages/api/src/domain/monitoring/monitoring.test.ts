import { sql } from 'drizzle-orm';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import type { MonitoringData } from '@openaos/protocol/v7';
import type { Actor } from '../../actor.js';
import { createCloudFixture, type CloudFixture } from '../../testing/cloud-fixture.js';
import { pruneMonitoring } from './prune-monitoring.js';
import { planSeriesQuery, seriesPointsSql } from './query-series.js';
import { recordMonitoring, recordMonitoringBatch } from './record-monitoring.js';
import { instanceSeries, nodeSeries } from './series-key.js';

async function expectCode(promise: Promise<unknown>, code: TRPCError['code']): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
}

const MINUTE = 60_000;
/** A fixed time on a 5-minute boundary, 10 minutes ago (so every sample is in the past). */
function baseTime(): Date {
  const now = Date.now() - 10 * MINUTE;
  return new Date(Math.floor(now / (5 * MINUTE)) * 5 * MINUTE);
}

function sample(at: Date, cpu: number, ram: number, extra: { pids?: number; storage?: number } = {}) {
  return {
    timestamp: at.toISOString(),
    cpu,
    ram,
    download: 0,
    upload: 0,
    partitions: extra.storage === undefined ? [] : [{ name: 'storage', usedSize: extra.storage }],
    ...(extra.pids === undefined ? {} : { pids: extra.pids }),
  };
}

function message(
  serviceId: string,
  subjectId: string,
  node: ReturnType<typeof sample>[],
  instance: ReturnType<typeof sample>[],
): MonitoringData {
  return {
    messageType: 'monitoringData',
    nodes: [{ node: { codename: 'main' }, items: node }],
    instances: [
      {
        item: { id: serviceId },
        subject: { id: subjectId },
        instance: 0,
        node: { codename: 'main' },
        itemStates: [],
        items: instance,
      },
    ],
  };
}

/** The plan nodes of an EXPLAIN (FORMAT JSON), flattened. */
function planNodes(plan: Record<string, unknown>): Record<string, unknown>[] {
  const children = (plan['Plans'] as Record<string, unknown>[] | undefined) ?? [];
  return [plan, ...children.flatMap(planNodes)];
}

describe.each(['pglite', 'postgres'] as const)('monitoring on %s', (driver) => {
  let cloud: CloudFixture;
  let oem: Actor;
  let otherOem: Actor;
  let sp: Actor;
  let otherSp: Actor;
  let serviceId: string;
  let otherServiceId: string;
  let subjectId: string;
  let unitId: string;
  let base: Date;

  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    oem = await cloud.addUser('oem', 'Maker', 'oem@maker.example');
    otherOem = await cloud.addUser('oem', 'Other maker', 'oem@other.example');
    sp = await cloud.addUser('sp', 'Provider', 'sp@provider.example');
    otherSp = await cloud.addUser('sp', 'Other provider', 'sp@other.example');
    serviceId = (await cloud.caller(sp).services.create({ title: 'Hello' })).id;
    otherServiceId = (await cloud.caller(otherSp).services.create({ title: 'Theirs' })).id;
    subjectId = (await cloud.caller(oem).subjects.create({ name: 'fleet' })).id;
    unitId = (await cloud.caller(oem).units.create({ systemId: 'unit-a', model: 'rpi4' })).id;
    await cloud.caller(otherOem).units.create({ systemId: 'foreign', model: 'x' });
    await cloud.deps.db.insert(schema.serviceVersions).values({
      serviceId,
      version: '1.0.0',
      state: 'approved',
      configSummary: { quotas: { ramLimit: 64 * 1024 * 1024, storageLimit: 1_000_000 } },
    });
    await cloud.deps.db.insert(schema.unitInstanceStatuses).values([
      { unitId, itemId: serviceId, subjectId, instance: 0, version: '1.0.0', state: 'active', reportedAt: new Date() },
      {
        unitId,
        itemId: otherServiceId,
        subjectId,
        instance: 0,
        version: '2.0.0',
        state: 'failed',
        reportedAt: new Date(),
      },
    ]);
    base = baseTime();
  });

  afterAll(async () => {
    await cloud?.close();
  });

  it('stores samples raw, in exact five-minute averages and as the latest; a resent message changes nothing', async () => {
    const { db } = cloud.deps;
    const at = (minutes: number) => new Date(base.getTime() + minutes * MINUTE);
    const first = message(
      serviceId,
      subjectId,
      [sample(at(0), 100, 1000), sample(at(1), 300, 3000)],
      [sample(at(0), 10, 100, { pids: 2, storage: 5 }), sample(at(1), 30, 300, { pids: 4, storage: 7 })],
    );
    expect(await recordMonitoring(db, unitId, first)).toEqual({ stored: 4, duplicates: 0, refused: 0 });
    // The same message again (its ack was lost): nothing is stored or counted twice.
    expect(await recordMonitoring(db, unitId, first)).toEqual({ stored: 0, duplicates: 4, refused: 0 });
    // A late sample of the same bucket (the unit was offline) and one of the next bucket.
    const late = message(
      serviceId,
      subjectId,
      [],
      [sample(at(2), 50, 500, { storage: 9 }), sample(at(5), 70, 700, { pids: 1, storage: 11 })],
    );
    await recordMonitoring(db, unitId, late);
    // One stamped an hour into the future (a wrong clock) is refused.
    const future = message(serviceId, subjectId, [sample(new Date(Date.now() + 60 * MINUTE), 1, 1)], []);
    expect((await recordMonitoring(db, unitId, future)).refused).toBe(1);

    const series = instanceSeries(serviceId, subjectId, 0);
    const rollups = await db
      .select()
      .from(schema.monitoringRollups)
      .where(sql`${schema.monitoringRollups.series} = ${series}`)
      .orderBy(schema.monitoringRollups.at);
    expect(rollups.map((row) => [row.at.getTime() - base.getTime(), row.samples, row.cpuSum, row.ramSum])).toEqual([
      [0, 3, 90, 900],
      [5 * MINUTE, 1, 70, 700],
    ]);
    expect(rollups[0]!.pidsSum / rollups[0]!.pidsSamples).toBe(3);
    expect(rollups[0]!.partitions).toEqual([{ name: 'storage', usedSize: 9 }]);
    // The hourly tier holds the same four samples, in the buckets of their own hour (base is a
    // five-minute boundary, so its last sample may fall in the next hour).
    const hourly = await db
      .select()
      .from(schema.monitoringHourly)
      .where(sql`${schema.monitoringHourly.series} = ${series}`)
      .orderBy(schema.monitoringHourly.at);
    const hour = (minutes: number) => Math.floor(at(minutes).getTime() / 3_600_000) * 3_600_000;
    const expectedHours = new Map<number, number[]>();
    for (const [minutes, cpu, ram] of [
      [0, 10, 100],
      [1, 30, 300],
      [2, 50, 500],
      [5, 70, 700],
    ] as const) {
      const [samples = 0, cpuSum = 0, ramSum = 0] = expectedHours.get(hour(minutes)) ?? [];
      expectedHours.set(hour(minutes), [samples + 1, cpuSum + cpu, ramSum + ram]);
    }
    expect(hourly.map((row) => [row.at.getTime(), row.samples, row.cpuSum, row.ramSum])).toEqual(
      [...expectedHours].map(([start, sums]) => [start, ...sums]),
    );

    const [latest] = await db
      .select()
      .from(schema.monitoringLatest)
      .where(sql`${schema.monitoringLatest.series} = ${series}`);
    expect(latest).toMatchObject({ itemId: serviceId, subjectId, instance: 0, cpu: 70, ram: 700, pids: 1 });
    // An older sample arriving later does not move the latest back.
    await recordMonitoring(db, unitId, message(serviceId, subjectId, [], [sample(at(3), 1, 1)]));
    const [still] = await db
      .select()
      .from(schema.monitoringLatest)
      .where(sql`${schema.monitoringLatest.series} = ${series}`);
    expect(still!.ram).toBe(700);
  });

  it('answers chart series averaged per bucket, with the quota as the limit, to the OEM of the unit', async () => {
    const result = await cloud.caller(oem).monitoring.series({ unit: 'unit-a', sinceSeconds: 3600 });
    expect(result.source).toBe('raw');
    expect(result.bucketSeconds).toBe(10);
    const node = result.series.find((entry) => entry.series === nodeSeries('main'));
    expect(node?.points.map((point) => point.cpu)).toEqual([100, 300]);
    const instance = result.series.find((entry) => entry.kind === 'instance');
    expect(instance).toMatchObject({
      serviceId,
      title: 'Hello',
      subjectName: 'fleet',
      version: '1.0.0',
      limits: { ram: 64 * 1024 * 1024 },
    });
    expect(instance?.points.map((point) => point.ram)).toEqual([100, 300, 500, 1, 700]);
    expect(instance?.points.at(-1)?.partitions).toEqual([{ name: 'storage', usedSize: 11 }]);

    // A day reads the five-minute averages: two buckets.
    const day = await cloud.caller(oem).monitoring.series({ unit: unitId, serviceId, sinceSeconds: 86_400 });
    expect(day.source).toBe('five-minute averages');
    expect(day.series).toHaveLength(1);
    expect(day.series[0]!.points.map((point) => point.ram)).toEqual([Math.round((100 + 300 + 500 + 1) / 4), 700]);

    // Three days read the hourly averages: one or two hours (the samples may straddle one).
    const days = await cloud.caller(oem).monitoring.series({ unit: unitId, serviceId, sinceSeconds: 3 * 86_400 });
    expect(days.source).toBe('hourly averages');
    expect(days.bucketSeconds).toBe(3600);
    const hourlyRam = days.series[0]!.points.map((point) => point.ram);
    const allRam = [100, 300, 500, 1, 700];
    if (hourlyRam.length === 1) expect(hourlyRam).toEqual([Math.round(allRam.reduce((a, b) => a + b) / 5)]);
    else expect(hourlyRam).toHaveLength(2);
  });

  it('lets an SP read its own services’ instances only, never the unit totals or other SPs’ instances', async () => {
    const mine = await cloud.caller(sp).monitoring.series({ unit: 'unit-a', sinceSeconds: 3600 });
    expect(mine.series.map((entry) => entry.serviceId)).toEqual([serviceId]);
    // The OEM's subject names stay the OEM's: the SP sees the subject's ID.
    expect(mine.series[0]).toMatchObject({ subjectId, subjectName: null });
    // Another SP's service on the same unit: its series are there but not for this SP.
    await recordMonitoring(
      cloud.deps.db,
      unitId,
      message(otherServiceId, subjectId, [], [sample(new Date(base.getTime() + MINUTE), 5, 5)]),
    );
    const again = await cloud.caller(sp).monitoring.series({ unit: 'unit-a', sinceSeconds: 3600 });
    expect(again.series.map((entry) => entry.serviceId)).toEqual([serviceId]);
    await expectCode(
      cloud.caller(sp).monitoring.series({ unit: 'unit-a', serviceId: otherServiceId, sinceSeconds: 3600 }),
      'NOT_FOUND',
    );
    const theirs = await cloud.caller(otherSp).monitoring.series({ unit: 'unit-a', sinceSeconds: 3600 });
    expect(theirs.series.map((entry) => entry.serviceId)).toEqual([otherServiceId]);
    // The OEM of another organisation does not find the unit; an SP does not find a unit its services are not on.
    await expectCode(cloud.caller(otherOem).monitoring.series({ unit: 'unit-a', sinceSeconds: 3600 }), 'NOT_FOUND');
    await expectCode(cloud.caller(sp).monitoring.series({ unit: 'foreign', sinceSeconds: 3600 }), 'NOT_FOUND');
    await expectCode(cloud.caller(cloud.admin).monitoring.series({ unit: 'unit-a', sinceSeconds: 3600 }), 'FORBIDDEN');
    await expectCode(cloud.caller(oem).monitoring.series({ unit: 'unit-a', sinceSeconds: 5 }), 'BAD_REQUEST');
  });

  it('shows the fleet overview in each caller’s scope', async () => {
    const forOem = await cloud.caller(oem).monitoring.overview();
    expect(forOem.units).toMatchObject({ total: 1, offline: 1 });
    expect(forOem.instancesByState).toEqual([
      { state: 'active', count: 1 },
      { state: 'failed', count: 1 },
    ]);
    expect(forOem.topRam.map((entry) => [entry.systemId, entry.serviceId, entry.ram])).toEqual([
      ['unit-a', serviceId, 700],
      ['unit-a', otherServiceId, 5],
    ]);
    expect(forOem.topUnitsRam.map((entry) => entry.ram)).toEqual([3000]);
    const forSp = await cloud.caller(sp).monitoring.overview();
    expect(forSp.units).toBeNull();
    expect(forSp.instancesByState).toEqual([{ state: 'active', count: 1 }]);
    expect(forSp.topRam.map((entry) => entry.serviceId)).toEqual([serviceId]);
    expect(forSp.topUnitsRam).toEqual([]);
    const forOtherOem = await cloud.caller(otherOem).monitoring.overview();
    expect(forOtherOem.topRam).toEqual([]);
  });

  it('deletes raw samples and averages past their retention', async () => {
    const { db } = cloud.deps;
    const pruned = await pruneMonitoring(db, new Date(base.getTime() + 3 * MINUTE), {
      rawHours: 0,
      rollupDays: 0,
      hourlyDays: 0,
    });
    expect(pruned.rawDeleted).toBeGreaterThan(0);
    // The buckets at `base` of the three series (node, two instances); the next ones start after the cut.
    expect(pruned.rollupsDeleted).toBe(3);
    // Their hours too (each starts at or before `base`), and the older hour of the concurrent unit.
    expect(pruned.hourlyDeleted).toBeGreaterThanOrEqual(3);
    const hoursLeft = await db.select().from(schema.monitoringHourly);
    expect(hoursLeft.every((row) => row.at >= new Date(base.getTime() + 3 * MINUTE))).toBe(true);
    const left = await db.select().from(schema.monitoringSamples);
    expect(left.every((row) => row.at >= new Date(base.getTime() + 3 * MINUTE))).toBe(true);
    expect(await db.select().from(schema.monitoringLatest)).not.toHaveLength(0);
  });

  it('keeps both averages exact when several processes store overlapping messages at once', async () => {
    const { db } = cloud.deps;
    const concurrentUnit = (await cloud.caller(oem).units.create({ systemId: 'concurrent', model: 'x' })).id;
    // An hour boundary, 30 minutes back: samples on both sides of it.
    const boundary = new Date(Math.floor((Date.now() - 30 * MINUTE) / 3_600_000) * 3_600_000);
    const at = (minutes: number) => new Date(boundary.getTime() + minutes * MINUTE);
    const first = message(
      serviceId,
      subjectId,
      [],
      [-2, -1, 0, 1].map((m) => sample(at(m), 10, 1000)),
    );
    const overlapping = message(
      serviceId,
      subjectId,
      [],
      [0, 1, 2, 3].map((m) => sample(at(m), 10, 1000)),
    );
    // The same message three times and an overlapping one, each in its own transaction, at once.
    await Promise.all([first, first, overlapping, first].map((data) => recordMonitoring(db, concurrentUnit, data)));
    const series = instanceSeries(serviceId, subjectId, 0);
    for (const table of [schema.monitoringRollups, schema.monitoringHourly]) {
      const rows = await db
        .select()
        .from(table)
        .where(sql`${table.unitId} = ${concurrentUnit} and ${table.series} = ${series}`);
      expect(rows.reduce((sum, row) => sum + row.samples, 0)).toBe(6);
      expect(rows.reduce((sum, row) => sum + row.ramSum, 0)).toBe(6000);
    }
    const hourly = await db
      .select()
      .from(schema.monitoringHourly)
      .where(sql`${schema.monitoringHourly.unitId} = ${concurrentUnit}`)
      .orderBy(schema.monitoringHourly.at);
    expect(hourly.map((row) => [row.at.getTime() - boundary.getTime(), row.samples])).toEqual([
      [-3_600_000, 2],
      [0, 4],
    ]);
  });

  it('stores a batch of several units’ messages together, a resend in the same batch counted once', async () => {
    const { db } = cloud.deps;
    const units = [
      (await cloud.caller(oem).units.create({ systemId: 'batch-1', model: 'x' })).id,
      (await cloud.caller(oem).units.create({ systemId: 'batch-2', model: 'x' })).id,
    ];
    const start = baseTime();
    const at = (minutes: number) => new Date(start.getTime() + minutes * MINUTE);
    const data = (ram: number) =>
      message(
        serviceId,
        subjectId,
        [0, 1].map((m) => sample(at(m), 5, ram)),
        [0, 1, 2].map((m) => sample(at(m), 5, ram)),
      );
    const results = await recordMonitoringBatch(db, [
      { unitId: units[0]!, data: data(100) },
      { unitId: units[1]!, data: data(200) },
      { unitId: units[0]!, data: data(100) }, // resent before the first was acked
    ]);
    expect(results).toEqual([
      { stored: 5, duplicates: 0, refused: 0 },
      { stored: 5, duplicates: 0, refused: 0 },
      { stored: 0, duplicates: 5, refused: 0 },
    ]);
    const series = instanceSeries(serviceId, subjectId, 0);
    for (const [index, unitId] of units.entries()) {
      const rollups = await db
        .select()
        .from(schema.monitoringRollups)
        .where(sql`${schema.monitoringRollups.unitId} = ${unitId} and ${schema.monitoringRollups.series} = ${series}`);
      expect(rollups.reduce((sum, row) => sum + row.samples, 0)).toBe(3);
      expect(rollups.reduce((sum, row) => sum + row.ramSum, 0)).toBe(3 * (index + 1) * 100);
      const [latest] = await db
        .select()
        .from(schema.monitoringLatest)
        .where(sql`${schema.monitoringLatest.unitId} = ${unitId} and ${schema.monitoringLatest.series} = ${series}`);
      expect(latest).toMatchObject({ at: at(2), ram: (index + 1) * 100 });
    }
  });

  it(
    'reads a month of a unit’s data through the primary-key index of the tier the span picks',
    { timeout: 120_000 },
    async () => {
      const { db } = cloud.deps;
      // Four units with a node and an instance series each: one sample a minute for a week (raw
      // kept far longer than the default day: 80,640 rows, enough that a scan of the table would
      // show; a month of raw rows made the file take minutes on PGlite under load), and their
      // five-minute and hourly averages for 30 days.
      const units: string[] = [];
      for (let index = 0; index < 4; index++) {
        units.push((await cloud.caller(oem).units.create({ systemId: `month-${index}`, model: 'x' })).id);
      }
      const end = new Date();
      for (const id of units) {
        for (const series of [nodeSeries('main'), instanceSeries(serviceId, subjectId, 0)]) {
          await db.execute(sql`
          insert into monitoring_samples (unit_id, series, at, cpu, ram, partitions)
          select ${id}::uuid, ${series}, ${end.toISOString()}::timestamptz - make_interval(mins => n), n % 100, 1000000 + n, '[]'::jsonb
          from generate_series(0, 7 * 24 * 60 - 1) as n`);
          await db.execute(sql`
          insert into monitoring_rollups (unit_id, series, at, samples, cpu_sum, ram_sum, partitions, partitions_at)
          select ${id}::uuid, ${series}, ${end.toISOString()}::timestamptz - make_interval(mins => 5 * n), 5, 250, 5000000, '[]'::jsonb,
            ${end.toISOString()}::timestamptz - make_interval(mins => 5 * n)
          from generate_series(0, 30 * 24 * 12 - 1) as n`);
          await db.execute(sql`
          insert into monitoring_hourly (unit_id, series, at, samples, cpu_sum, ram_sum, partitions, partitions_at)
          select ${id}::uuid, ${series}, date_trunc('hour', ${end.toISOString()}::timestamptz) - make_interval(hours => n), 60, 3000,
            60000000, '[]'::jsonb, date_trunc('hour', ${end.toISOString()}::timestamptz) - make_interval(hours => n)
          from generate_series(-1, 30 * 24 - 1) as n`);
        }
      }
      await db.execute(sql`analyze monitoring_samples`);
      await db.execute(sql`analyze monitoring_rollups`);
      await db.execute(sql`analyze monitoring_hourly`);
      const unit = units[3]!;
      // [span, tier, table, its index, the most rows the scan may read for one series]
      for (const [sinceSeconds, source, table, index, maxRows] of [
        [3600, 'raw', 'monitoring_samples', 'monitoring_samples_unit_id_series_at_pk', 61],
        [86_400, 'rollup', 'monitoring_rollups', 'monitoring_rollups_unit_id_series_at_pk', 289],
        [7 * 86_400, 'hourly', 'monitoring_hourly', 'monitoring_hourly_unit_id_series_at_pk', 169],
        [30 * 86_400, 'hourly', 'monitoring_hourly', 'monitoring_hourly_unit_id_series_at_pk', 721],
      ] as const) {
        const plan = planSeriesQuery(sinceSeconds);
        expect(plan.source).toBe(source);
        const query = seriesPointsSql(
          plan.source,
          unit,
          [nodeSeries('main')],
          new Date(end.getTime() - sinceSeconds * 1000),
          end,
          plan.bucketSeconds,
        );
        // ANALYZE runs the query: the scan's actual rows are the rows it read (not a timing).
        const explained = await db.execute(sql`explain (analyze, format json) ${query}`);
        const row = (explained as unknown as { rows: Record<string, unknown>[] }).rows[0]!;
        const raw = row['QUERY PLAN'];
        const document = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: Record<string, unknown> }[];
        const nodes = planNodes(document[0]!.Plan);
        const scans = nodes.filter((node) => node['Relation Name'] === table);
        expect(scans, `${sinceSeconds} s: ${JSON.stringify(document)}`).toHaveLength(1);
        // An index scan, or a bitmap heap scan fed by the index: never a scan of the whole table.
        expect(scans[0]!['Node Type']).toMatch(/^(Index Scan|Index Only Scan|Bitmap Heap Scan)$/);
        const usedIndex = nodes.some((node) => node['Index Name'] === index);
        expect(usedIndex, `${sinceSeconds} s uses ${index}`).toBe(true);
        expect(nodes.some((node) => node['Node Type'] === 'Seq Scan')).toBe(false);
        // Bounded by the span in the tier's buckets, whatever the table holds (4 units × 2 series).
        const rowsRead = Number(scans[0]!['Actual Rows']) * Number(scans[0]!['Actual Loops'] ?? 1);
        expect(rowsRead, `${sinceSeconds} s reads at most ${maxRows} rows`).toBeLessThanOrEqual(maxRows);
        expect(rowsRead).toBeGreaterThanOrEqual(maxRows - 2);
        expect(Number(scans[0]!['Rows Removed by Filter'] ?? 0)).toBe(0);
        expect(Number(scans[0]!['Rows Removed by Index Recheck'] ?? 0)).toBe(0);
      }
      // And the answer through the API: a week of the unit's node in hourly points.
      // (The API reads up to its own now, which may be past the next full hour on a slow run: the
      // hourly rows above start one hour after `end`, so that hour has its point too.)
      await db
        .insert(schema.monitoringLatest)
        .values({ unitId: unit, series: nodeSeries('main'), node: 'main', at: end, cpu: 0, ram: 0 });
      const week = await cloud.caller(oem).monitoring.series({ unit: 'month-3', sinceSeconds: 7 * 86_400 });
      expect(week.source).toBe('hourly averages');
      expect(week.bucketSeconds).toBe(3600);
      const points = week.series.find((entry) => entry.kind === 'node')?.points ?? [];
      expect(points.length).toBeGreaterThanOrEqual(168);
      expect(points.length).toBeLessThanOrEqual(169);
      expect(points.every((point) => point.ram === 1_000_000 && point.cpu === 50)).toBe(true);
      // A month: two-hour points from the same tier.
      const month = await cloud.caller(oem).monitoring.series({ unit: 'month-3', sinceSeconds: 30 * 86_400 });
      expect(month.bucketSeconds).toBe(7200);
      expect(month.series.find((entry) => entry.kind === 'node')?.points.length).toBeLessThanOrEqual(361);
    },
  );
});
