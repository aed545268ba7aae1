/**
 * Chart data: the series of a unit (or of one service / instance on it) over a recent span,
 * downsampled in SQL to at most about {@link MAX_POINTS} points per series. The tier is picked by
 * the span: up to {@link RAW_SPAN_LIMIT_SECONDS} the raw samples, up to
 * {@link FIVE_MINUTE_SPAN_LIMIT_SECONDS} the five-minute averages, beyond that the hourly ones, so
 * no query reads more than about 576 rows per series (two days of five-minute buckets; a month
 * of hourly ones is 744). Every tier is read through its primary key (unit, series, time), so the
 * cost follows the rows of the span, not the data kept (monitoring.test.ts checks the plan and the
 * rows read; bench/monitoring-query.mjs times it).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { schema, type Database, type PartitionUsage } from '@openaos/db';
import type { Actor } from '../../actor.js';
import type { CloudDependencies } from '../../dependencies.js';
import { ApiError } from '../../errors.js';
import { resolveMonitoringScope } from './monitoring-access.js';
import { HOURLY_SECONDS, ROLLUP_SECONDS } from './retention.js';

export const MAX_POINTS = 360;
export const RAW_SPAN_LIMIT_SECONDS = 6 * 3600;
/** Longer spans than this read the hourly averages. */
export const FIVE_MINUTE_SPAN_LIMIT_SECONDS = 2 * 86_400;
export const SPAN_LIMITS = { minSeconds: 60, maxSeconds: 31 * 86_400 } as const;

export interface SeriesPoint {
  at: string;
  cpu: number;
  ram: number;
  download: number | null;
  upload: number | null;
  pids: number | null;
  partitions: PartitionUsage[];
}

/** Limits to draw as lines: the instance's quotas (service config) or the node's size. */
export interface SeriesLimits {
  cpu?: number;
  ram?: number;
  storage?: number;
  state?: number;
}

export interface SeriesView {
  series: string;
  kind: 'node' | 'instance';
  node: string;
  serviceId: string | null;
  title: string | null;
  subjectId: string | null;
  /** The subject's name, for the unit's own organisation and the admin (an SP sees the ID only). */
  subjectName: string | null;
  instance: number | null;
  /** The version the unit last reported for the instance. */
  version: string | null;
  limits: SeriesLimits;
  points: SeriesPoint[];
}

export interface MonitoringSeriesResult {
  unit: { id: string; systemId: string };
  from: string;
  to: string;
  /** Each point averages this many seconds of samples. */
  bucketSeconds: number;
  source: SeriesSourceLabel;
  series: SeriesView[];
}

export interface MonitoringSeriesInput {
  unit: string;
  serviceId?: string | undefined;
  subjectId?: string | undefined;
  instance?: number | undefined;
  /** How far back from now, seconds. */
  sinceSeconds: number;
}

/** Where a chart query reads: raw samples, five-minute averages or hourly averages. */
export type SeriesSource = 'raw' | 'rollup' | 'hourly';
export type SeriesSourceLabel = 'raw' | 'five-minute averages' | 'hourly averages';

const SOURCE_LABELS: Record<SeriesSource, SeriesSourceLabel> = {
  raw: 'raw',
  rollup: 'five-minute averages',
  hourly: 'hourly averages',
};
const SMALLEST_BUCKET_SECONDS: Record<SeriesSource, number> = {
  raw: 10,
  rollup: ROLLUP_SECONDS,
  hourly: HOURLY_SECONDS,
};
const ROLLUP_TABLES: Record<Exclude<SeriesSource, 'raw'>, string> = {
  rollup: 'monitoring_rollups',
  hourly: 'monitoring_hourly',
};

/** The plan of a query: where from and how coarse. Pure. */
export function planSeriesQuery(sinceSeconds: number): { source: SeriesSource; bucketSeconds: number } {
  if (
    !Number.isFinite(sinceSeconds) ||
    sinceSeconds < SPAN_LIMITS.minSeconds ||
    sinceSeconds > SPAN_LIMITS.maxSeconds
  ) {
    throw new ApiError(
      'invalid-input',
      `since: ${sinceSeconds} seconds is out of range; give ${SPAN_LIMITS.minSeconds} seconds to 31 days (e.g. 1h, 1d, 1w)`,
    );
  }
  const source: SeriesSource =
    sinceSeconds <= RAW_SPAN_LIMIT_SECONDS
      ? 'raw'
      : sinceSeconds <= FIVE_MINUTE_SPAN_LIMIT_SECONDS
        ? 'rollup'
        : 'hourly';
  const smallest = SMALLEST_BUCKET_SECONDS[source];
  const bucketSeconds = Math.max(smallest, Math.ceil(sinceSeconds / MAX_POINTS / smallest) * smallest);
  return { source, bucketSeconds };
}

interface PointRow {
  series: string;
  bucket: string | Date;
  cpu: number | string;
  ram: number | string;
  download: number | string | null;
  upload: number | string | null;
  pids: number | string | null;
  partitions: PartitionUsage[] | string | null;
}

const toNumber = (value: number | string | null): number | null => (value === null ? null : Math.round(Number(value)));

/** The SQL of one chart query (exported for the plan test and the bench). */
export function seriesPointsSql(
  source: SeriesSource,
  unitId: string,
  series: string[],
  from: Date,
  to: Date,
  bucketSeconds: number,
) {
  // date_bin (PostgreSQL 14+): buckets aligned on the epoch, in float arithmetic (extract(epoch) is numeric: slower).
  const bucket = sql`date_bin(${`${bucketSeconds} seconds`}::interval, at, timestamptz 'epoch')`;
  const names = sql`array[${sql.join(
    series.map((name) => sql`${name}`),
    sql`, `,
  )}]::text[]`;
  if (source === 'raw') {
    return sql`select series, ${bucket} as bucket, avg(cpu) as cpu, avg(ram) as ram, avg(download) as download,
        avg(upload) as upload, avg(pids) as pids, (array_agg(partitions order by at desc))[1] as partitions
      from monitoring_samples
      where unit_id = ${unitId} and series = any(${names})
        and at >= ${from.toISOString()}::timestamptz and at <= ${to.toISOString()}::timestamptz
      group by series, bucket order by series, bucket`;
  }
  return sql`select series, ${bucket} as bucket, sum(cpu_sum) / sum(samples) as cpu, sum(ram_sum) / sum(samples) as ram,
      sum(download_sum) / sum(samples) as download, sum(upload_sum) / sum(samples) as upload,
      case when sum(pids_samples) > 0 then sum(pids_sum) / sum(pids_samples) end as pids,
      (array_agg(partitions order by partitions_at desc))[1] as partitions
    from ${sql.raw(ROLLUP_TABLES[source])}
    where unit_id = ${unitId} and series = any(${names})
      and at >= ${from.toISOString()}::timestamptz and at <= ${to.toISOString()}::timestamptz
    group by series, bucket order by series, bucket`;
}

/** Read points of the given series (no access check: callers resolve the scope first). */
export async function readSeriesPoints(
  db: Database,
  unitId: string,
  series: string[],
  range: { from: Date; to: Date },
  plan: { source: SeriesSource; bucketSeconds: number },
): Promise<Map<string, SeriesPoint[]>> {
  const points = new Map<string, SeriesPoint[]>(series.map((name) => [name, []]));
  if (series.length === 0) return points;
  const result = await db.execute(
    seriesPointsSql(plan.source, unitId, series, range.from, range.to, plan.bucketSeconds),
  );
  for (const row of (result as unknown as { rows: PointRow[] }).rows) {
    const partitions =
      typeof row.partitions === 'string' ? (JSON.parse(row.partitions) as PartitionUsage[]) : row.partitions;
    points.get(row.series)?.push({
      at: new Date(row.bucket).toISOString(),
      cpu: toNumber(row.cpu) ?? 0,
      ram: toNumber(row.ram) ?? 0,
      download: toNumber(row.download),
      upload: toNumber(row.upload),
      pids: toNumber(row.pids),
      partitions: partitions ?? [],
    });
  }
  return points;
}

function readNodeLimits(nodeInfo: unknown[] | null, node: string): SeriesLimits {
  const entry = (nodeInfo ?? []).find(
    (info): info is { identity?: { codename?: string }; totalRam?: number; maxDmips?: number } =>
      typeof info === 'object' &&
      info !== null &&
      (info as { identity?: { codename?: string } }).identity?.codename === node,
  );
  return {
    ...(typeof entry?.totalRam === 'number' && entry.totalRam > 0 ? { ram: entry.totalRam } : {}),
    ...(typeof entry?.maxDmips === 'number' && entry.maxDmips > 0 ? { cpu: entry.maxDmips } : {}),
  };
}

/** Series of a unit over the last `sinceSeconds`: what the caller may see of it (monitoring-access.ts). */
export async function monitoringSeries(
  deps: Pick<CloudDependencies, 'db' | 'now'>,
  actor: Actor,
  input: MonitoringSeriesInput,
): Promise<MonitoringSeriesResult> {
  const plan = planSeriesQuery(input.sinceSeconds);
  const { db } = deps;
  const scope = await resolveMonitoringScope(db, actor, input);
  const latest = schema.monitoringLatest;
  const rows = await db
    .select({
      series: latest.series,
      node: latest.node,
      itemId: latest.itemId,
      subjectId: latest.subjectId,
      instance: latest.instance,
    })
    .from(latest)
    .where(
      and(
        eq(latest.unitId, scope.unit.id),
        scope.serviceIds === null ? undefined : inArray(latest.itemId, scope.serviceIds),
        input.subjectId === undefined ? undefined : eq(latest.subjectId, input.subjectId),
        input.instance === undefined ? undefined : eq(latest.instance, input.instance),
      ),
    )
    // Node series first (`node:` sorts after `instance:`), then instances by name.
    .orderBy(sql`${latest.itemId} is not null`, latest.series);
  const to = deps.now();
  const from = new Date(to.getTime() - input.sinceSeconds * 1000);
  const points = await readSeriesPoints(
    db,
    scope.unit.id,
    rows.map((row) => row.series),
    { from, to },
    plan,
  );
  const details = await readInstanceDetails(
    db,
    scope.unit.id,
    rows.flatMap((row) => (row.itemId ? [row.itemId] : [])),
  );
  const subjectNames =
    scope.serviceIds === null
      ? await readSubjectNames(
          db,
          rows.flatMap((row) => (row.subjectId ? [row.subjectId] : [])),
        )
      : new Map<string, string>();
  return {
    unit: { id: scope.unit.id, systemId: scope.unit.systemId },
    from: from.toISOString(),
    to: to.toISOString(),
    bucketSeconds: plan.bucketSeconds,
    source: SOURCE_LABELS[plan.source],
    series: rows.map((row) => {
      const isInstance = row.itemId !== null;
      const detail = isInstance ? details.get(`${row.itemId}/${row.subjectId}/${row.instance}`) : undefined;
      return {
        series: row.series,
        kind: isInstance ? 'instance' : 'node',
        node: row.node,
        serviceId: row.itemId,
        title: row.itemId === null ? null : (details.get(row.itemId)?.title ?? null),
        subjectId: row.subjectId,
        subjectName: row.subjectId === null ? null : (subjectNames.get(row.subjectId) ?? null),
        instance: row.instance,
        version: detail?.version ?? null,
        limits: isInstance ? (detail?.limits ?? {}) : readNodeLimits(scope.unit.nodeInfo, row.node),
        points: points.get(row.series) ?? [],
      };
    }),
  };
}

interface InstanceDetail {
  title: string | null;
  version: string | null;
  limits: SeriesLimits;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Names of the cloud subjects among `subjectIds` (a unit's local subjects are codenames: no row). */
async function readSubjectNames(db: Database, subjectIds: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(subjectIds)].filter((id) => UUID.test(id));
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: schema.subjects.id, name: schema.subjects.name })
    .from(schema.subjects)
    .where(inArray(schema.subjects.id, ids));
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** Service titles (by service id) and, per instance key, its reported version and that version's quotas. */
async function readInstanceDetails(
  db: Database,
  unitId: string,
  serviceIds: string[],
): Promise<Map<string, InstanceDetail>> {
  const details = new Map<string, InstanceDetail>();
  const ids = [...new Set(serviceIds)].filter((id) => UUID.test(id));
  if (ids.length === 0) return details;
  const [services, instances] = await Promise.all([
    db
      .select({ id: schema.services.id, title: schema.services.title })
      .from(schema.services)
      .where(inArray(schema.services.id, ids)),
    db
      .select({
        itemId: schema.unitInstanceStatuses.itemId,
        subjectId: schema.unitInstanceStatuses.subjectId,
        instance: schema.unitInstanceStatuses.instance,
        version: schema.unitInstanceStatuses.version,
        summary: schema.serviceVersions.configSummary,
      })
      .from(schema.unitInstanceStatuses)
      .leftJoin(
        schema.serviceVersions,
        and(
          sql`${schema.serviceVersions.serviceId}::text = ${schema.unitInstanceStatuses.itemId}`,
          eq(schema.serviceVersions.version, schema.unitInstanceStatuses.version),
        ),
      )
      .where(and(eq(schema.unitInstanceStatuses.unitId, unitId), inArray(schema.unitInstanceStatuses.itemId, ids))),
  ]);
  for (const service of services) details.set(service.id, { title: service.title, version: null, limits: {} });
  for (const row of instances) {
    const quotas = row.summary?.quotas ?? {};
    const limits: SeriesLimits = {
      ...(quotas.cpuDmipsLimit !== undefined ? { cpu: quotas.cpuDmipsLimit } : {}),
      ...(quotas.ramLimit !== undefined ? { ram: quotas.ramLimit } : {}),
      ...(quotas.storageLimit !== undefined ? { storage: quotas.storageLimit } : {}),
      ...(quotas.stateLimit !== undefined ? { state: quotas.stateLimit } : {}),
    };
    details.set(`${row.itemId}/${row.subjectId}/${row.instance}`, { title: null, version: row.version, limits });
  }
  return details;
}
