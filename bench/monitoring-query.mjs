// The monitoring chart query of one unit with a month of data, from the tier its span picks (raw,
// five-minute or hourly averages) through the table's primary key, against two baselines: the same
// query with index use turned off (the plan a missing index would give: a scan of the whole table)
// and the same span read from the raw samples (what a chart costs without the averages). Prints the
// median time of each and the ratios, on PGlite and PostgreSQL.
// Run after `pnpm build`:
//   node monitoring-query.mjs [--json]     env: BENCH_UNITS (20), BENCH_RUNS (7), BENCH_DRIVERS (pglite,postgres)
import { planSeriesQuery, seriesPointsSql, instanceSeries, nodeSeries } from '@openaos/api';
import { createThrowawayDatabase } from '@openaos/db';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';

const isJson = process.argv.includes('--json');
const units = readPositiveInteger('BENCH_UNITS', 20);
const runs = readPositiveInteger('BENCH_RUNS', 7);
const drivers = (process.env.BENCH_DRIVERS ?? 'pglite,postgres').split(',').filter(Boolean);
const SERVICE = '6c5c1a04-1b1e-4a07-a2d5-0fe0b4b09d3f';
const SUBJECT = '0e0b2f4c-8a51-4f55-9a43-2a8f0f8d7e11';
const SPANS = [
  { label: '1 hour (raw)', seconds: 3600 },
  { label: '1 day (5-min averages)', seconds: 86_400 },
  { label: '1 week (hourly averages)', seconds: 7 * 86_400 },
  { label: '30 days (hourly averages)', seconds: 30 * 86_400 },
];

function readPositiveInteger(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return number;
}

function log(message) {
  (isJson ? process.stderr : process.stdout).write(`${message}\n`);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A month of one-minute samples, five-minute and hourly averages of a node and an instance, per unit. */
async function fill(db, end) {
  const [organisation] = (
    await db.execute(sql`insert into organisations (name, kind) values ('bench', 'oem') returning id`)
  ).rows;
  const unitIds = [];
  for (let index = 0; index < units; index++) {
    const [unit] = (
      await db.execute(
        sql`insert into units (organisation_id, system_id, model) values (${organisation.id}, ${`bench-${index}`}, 'x') returning id`,
      )
    ).rows;
    unitIds.push(unit.id);
    for (const series of [nodeSeries('main'), instanceSeries(SERVICE, SUBJECT, 0)]) {
      await db.execute(sql`
        insert into monitoring_samples (unit_id, series, at, cpu, ram, partitions)
        select ${unit.id}::uuid, ${series}, ${end}::timestamptz - make_interval(mins => n), n % 100, 1000000 + n,
          '[{"name":"storage","usedSize":4096}]'::jsonb
        from generate_series(0, 30 * 24 * 60 - 1) as n`);
      await db.execute(sql`
        insert into monitoring_rollups (unit_id, series, at, samples, cpu_sum, ram_sum, partitions, partitions_at)
        select ${unit.id}::uuid, ${series}, ${end}::timestamptz - make_interval(mins => 5 * n), 5, 250, 5000000,
          '[{"name":"storage","usedSize":4096}]'::jsonb, ${end}::timestamptz - make_interval(mins => 5 * n)
        from generate_series(0, 30 * 24 * 12 - 1) as n`);
      await db.execute(sql`
        insert into monitoring_hourly (unit_id, series, at, samples, cpu_sum, ram_sum, partitions, partitions_at)
        select ${unit.id}::uuid, ${series}, date_trunc('hour', ${end}::timestamptz) - make_interval(hours => n), 60, 3000, 60000000,
          '[{"name":"storage","usedSize":4096}]'::jsonb, date_trunc('hour', ${end}::timestamptz) - make_interval(hours => n)
        from generate_series(0, 30 * 24 - 1) as n`);
    }
  }
  await db.execute(sql`analyze monitoring_samples`);
  await db.execute(sql`analyze monitoring_rollups`);
  await db.execute(sql`analyze monitoring_hourly`);
  return unitIds;
}

async function timeQuery(db, query, useIndex) {
  return db.transaction(async (tx) => {
    if (!useIndex) {
      await tx.execute(sql`set local enable_indexscan = off`);
      await tx.execute(sql`set local enable_indexonlyscan = off`);
      await tx.execute(sql`set local enable_bitmapscan = off`);
    }
    const started = performance.now();
    const result = await tx.execute(query);
    return { ms: performance.now() - started, rows: result.rows.length };
  });
}

const results = [];
for (const driver of drivers) {
  log(`${driver}: filling ${units} units × 2 series × 30 days (one sample a minute, 5-minute and hourly averages)…`);
  const database = await createThrowawayDatabase(driver);
  try {
    const end = new Date();
    const filledAt = performance.now();
    const unitIds = await fill(database.db, end.toISOString());
    const [{ raw, rollups, hourly }] = (
      await database.db.execute(
        sql`select (select count(*) from monitoring_samples)::int as raw, (select count(*) from monitoring_rollups)::int as rollups,
          (select count(*) from monitoring_hourly)::int as hourly`,
      )
    ).rows;
    log(
      `  ${raw} raw rows, ${rollups} five-minute and ${hourly} hourly rows in ${((performance.now() - filledAt) / 1000).toFixed(1)} s`,
    );
    const unitId = unitIds[Math.floor(unitIds.length / 2)];
    for (const span of SPANS) {
      const plan = planSeriesQuery(span.seconds);
      const series = [nodeSeries('main'), instanceSeries(SERVICE, SUBJECT, 0)];
      const from = new Date(end.getTime() - span.seconds * 1000);
      const query = seriesPointsSql(plan.source, unitId, series, from, end, plan.bucketSeconds);
      // Baseline: the same span and buckets from the raw samples (no averages kept).
      const rawQuery = seriesPointsSql('raw', unitId, series, from, end, plan.bucketSeconds);
      const indexed = [];
      const scanned = [];
      const fromRaw = [];
      let points = 0;
      for (let run = 0; run < runs; run++) {
        const withIndex = await timeQuery(database.db, query, true);
        const withoutIndex = await timeQuery(database.db, query, false);
        const rawRead = await timeQuery(database.db, rawQuery, true);
        if (withIndex.rows !== withoutIndex.rows) throw new Error(`${span.label}: the two plans disagree`);
        points = withIndex.rows;
        indexed.push(withIndex.ms);
        scanned.push(withoutIndex.ms);
        fromRaw.push(rawRead.ms);
      }
      const entry = {
        driver,
        span: span.label,
        source: plan.source,
        points,
        indexMs: median(indexed),
        fullScanMs: median(scanned),
        rawMs: median(fromRaw),
      };
      entry.ratio = entry.fullScanMs / entry.indexMs;
      entry.rawRatio = entry.rawMs / entry.indexMs;
      results.push(entry);
      log(
        `  ${span.label.padEnd(26)} ${String(points).padStart(4)} points  index ${entry.indexMs.toFixed(1).padStart(7)} ms  full scan ${entry.fullScanMs.toFixed(1).padStart(8)} ms (${entry.ratio.toFixed(1)}×)  from raw ${entry.rawMs.toFixed(1).padStart(8)} ms (${entry.rawRatio.toFixed(1)}×)`,
      );
    }
  } finally {
    await database.close();
  }
}
if (isJson) process.stdout.write(`${JSON.stringify({ units, runs, results }, null, 2)}\n`);
