/**
 * Store a unit's v7 monitoringData: every sample raw, added into its five-minute and its hourly
 * rollup, and the newest of each series as the series' latest. One transaction per message, or
 * per batch of messages (the gateway records the messages of many units together).
 *
 * Invariants: a sample already stored (same unit, series, time: a message resent after a lost ack)
 * is neither stored nor counted again, so both rollups stay exact (only the samples the insert
 * returned as new are added, in the same transaction, by `+ excluded` upserts that commute across
 * cloud processes); samples arriving late (a unit's
 * offline buffer) land in the buckets of their own time; `latest` only moves forward in time.
 */
import { sql } from 'drizzle-orm';
import { schema, type Database, type PartitionUsage } from '@openaos/db';
import type { MonitoringData, MonitoringSample } from '@openaos/protocol/v7';
import { HOURLY_SECONDS, ROLLUP_SECONDS } from './retention.js';
import { instanceSeries, nodeSeries } from './series-key.js';
import { inSlices } from '../util.js';

/** Samples stamped further than this into the future (a unit whose clock is wrong) are not stored. */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000;
const CHUNK_ROWS = 500;

interface SeriesSamples {
  series: string;
  node: string;
  itemId: string | null;
  subjectId: string | null;
  instance: number | null;
  items: MonitoringSample[];
}

export interface RecordMonitoringResult {
  /** Samples stored (new ones). */
  stored: number;
  /** Samples already stored (a resent message). */
  duplicates: number;
  /** Samples refused: stamped too far in the future or not a valid time. */
  refused: number;
}

type SampleRow = typeof schema.monitoringSamples.$inferInsert;

function identityName(identity: { id?: string | null | undefined; codename?: string | null | undefined }): string {
  return identity.id ?? identity.codename ?? '';
}

function groupSeries(data: MonitoringData): SeriesSamples[] {
  const groups: SeriesSamples[] = data.nodes.map((node) => {
    const name = identityName(node.node) || 'main';
    return { series: nodeSeries(name), node: name, itemId: null, subjectId: null, instance: null, items: node.items };
  });
  for (const entry of data.instances ?? []) {
    const itemId = identityName(entry.item);
    const subjectId = identityName(entry.subject);
    if (!itemId) continue;
    groups.push({
      series: instanceSeries(itemId, subjectId, entry.instance),
      node: identityName(entry.node) || 'main',
      itemId,
      subjectId,
      instance: entry.instance,
      items: entry.items,
    });
  }
  return groups;
}

function toPartitions(sample: MonitoringSample): PartitionUsage[] {
  return (sample.partitions ?? []).map((partition) => ({ name: partition.name, usedSize: partition.usedSize }));
}

/** Store the samples of one monitoringData message of the unit. */
export async function recordMonitoring(
  db: Database,
  unitId: string,
  data: MonitoringData,
  now: Date = new Date(),
): Promise<RecordMonitoringResult> {
  const [result] = await recordMonitoringBatch(db, [{ unitId, data }], now);
  return result ?? { stored: 0, duplicates: 0, refused: 0 };
}

/** A monitoringData message and the unit that sent it. */
export interface ReceivedMonitoring {
  unitId: string;
  data: MonitoringData;
}

/**
 * {@link recordMonitoring} for the messages of many units at once (the gateway's write-behind
 * batch): one transaction, the samples, rollups and latest rows of all of them in multi-row
 * statements. Results per message, in order; a sample two messages of the batch both carry (a
 * resend) is stored once, for the first.
 */
export async function recordMonitoringBatch(
  db: Database,
  messages: readonly ReceivedMonitoring[],
  now: Date = new Date(),
): Promise<RecordMonitoringResult[]> {
  const latestAllowed = now.getTime() + MAX_CLOCK_SKEW_MS;
  const keyOf = (row: { unitId: string; series: string; at: Date }) =>
    `${row.unitId}\u0000${row.series}\u0000${row.at.getTime()}`;
  const results: RecordMonitoringResult[] = [];
  const owner = new Map<string, number>();
  const candidates: SampleRow[] = [];
  const groupsOfUnit = new Map<string, SeriesSamples[]>();
  messages.forEach(({ unitId, data }, index) => {
    const groups = groupSeries(data);
    groupsOfUnit.set(unitId, [...(groupsOfUnit.get(unitId) ?? []), ...groups]);
    const result = { stored: 0, duplicates: 0, refused: 0 };
    results.push(result);
    for (const group of groups) {
      for (const item of group.items) {
        const at = new Date(item.timestamp);
        if (Number.isNaN(at.getTime()) || at.getTime() > latestAllowed) {
          result.refused += 1;
          continue;
        }
        const row: SampleRow = {
          unitId,
          series: group.series,
          at,
          itemId: group.itemId,
          cpu: Math.max(0, item.cpu),
          ram: Math.max(0, item.ram),
          download: item.download ?? null,
          upload: item.upload ?? null,
          pids: item.pids ?? null,
          partitions: toPartitions(item),
        };
        // A time repeated within a series (in one message, or a resend in the batch): the first wins, as the key says.
        const key = keyOf(row);
        if (owner.has(key)) {
          result.duplicates += 1;
          continue;
        }
        owner.set(key, index);
        candidates.push(row);
      }
    }
  });
  if (candidates.length === 0) return results;
  return db.transaction(async (tx) => {
    const stored: SampleRow[] = [];
    for (const slice of inSlices(candidates, CHUNK_ROWS)) {
      const inserted = await tx.insert(schema.monitoringSamples).values(slice).onConflictDoNothing().returning();
      stored.push(...inserted);
    }
    const isStored = new Set(stored.map(keyOf));
    for (const row of candidates) {
      const result = results[owner.get(keyOf(row)) ?? -1];
      if (!result) continue;
      if (isStored.has(keyOf(row))) result.stored += 1;
      else result.duplicates += 1;
    }
    await addToRollups(tx as unknown as Database, stored, schema.monitoringRollups, ROLLUP_SECONDS);
    await addToRollups(tx as unknown as Database, stored, schema.monitoringHourly, HOURLY_SECONDS);
    await updateLatest(tx as unknown as Database, groupsOfUnit, stored);
    return results;
  });
}

function bucketOf(at: Date, seconds: number): Date {
  const size = seconds * 1000;
  return new Date(Math.floor(at.getTime() / size) * size);
}

/** A rollup tier's table: five-minute or hourly (the same columns). */
type RollupTable = typeof schema.monitoringRollups | typeof schema.monitoringHourly;

async function addToRollups(db: Database, stored: SampleRow[], table: RollupTable, seconds: number): Promise<void> {
  const buckets = new Map<string, typeof schema.monitoringRollups.$inferInsert>();
  for (const row of stored) {
    const at = bucketOf(row.at, seconds);
    const key = `${row.unitId}\u0000${row.series}\u0000${at.getTime()}`;
    const bucket = buckets.get(key) ?? {
      unitId: row.unitId,
      series: row.series,
      at,
      itemId: row.itemId ?? null,
      samples: 0,
      cpuSum: 0,
      ramSum: 0,
      downloadSum: 0,
      uploadSum: 0,
      pidsSum: 0,
      pidsSamples: 0,
      partitions: row.partitions ?? [],
      partitionsAt: row.at,
    };
    bucket.samples += 1;
    bucket.cpuSum += row.cpu;
    bucket.ramSum += row.ram;
    bucket.downloadSum = (bucket.downloadSum ?? 0) + (row.download ?? 0);
    bucket.uploadSum = (bucket.uploadSum ?? 0) + (row.upload ?? 0);
    if (row.pids !== null && row.pids !== undefined) {
      bucket.pidsSum = (bucket.pidsSum ?? 0) + row.pids;
      bucket.pidsSamples = (bucket.pidsSamples ?? 0) + 1;
    }
    if (row.at >= bucket.partitionsAt) {
      bucket.partitions = row.partitions ?? [];
      bucket.partitionsAt = row.at;
    }
    buckets.set(key, bucket);
  }
  const values = [...buckets.values()];
  for (const slice of inSlices(values, CHUNK_ROWS)) {
    await db
      .insert(table)
      .values(slice)
      .onConflictDoUpdate({
        target: [table.unitId, table.series, table.at],
        set: {
          samples: sql`${table.samples} + excluded.samples`,
          cpuSum: sql`${table.cpuSum} + excluded.cpu_sum`,
          ramSum: sql`${table.ramSum} + excluded.ram_sum`,
          downloadSum: sql`${table.downloadSum} + excluded.download_sum`,
          uploadSum: sql`${table.uploadSum} + excluded.upload_sum`,
          pidsSum: sql`${table.pidsSum} + excluded.pids_sum`,
          pidsSamples: sql`${table.pidsSamples} + excluded.pids_samples`,
          partitions: sql`case when excluded.partitions_at >= ${table.partitionsAt} then excluded.partitions else ${table.partitions} end`,
          partitionsAt: sql`greatest(${table.partitionsAt}, excluded.partitions_at)`,
        },
      });
  }
}

async function updateLatest(
  db: Database,
  groupsOfUnit: ReadonlyMap<string, SeriesSamples[]>,
  stored: SampleRow[],
): Promise<void> {
  const newest = new Map<string, SampleRow>();
  for (const row of stored) {
    const key = `${row.unitId}\u0000${row.series}`;
    const current = newest.get(key);
    if (!current || row.at > current.at) newest.set(key, row);
  }
  const identities = new Map(
    [...groupsOfUnit].flatMap(([unitId, groups]) =>
      groups.map((group) => [`${unitId}\u0000${group.series}`, group] as const),
    ),
  );
  const values = [...newest.values()].flatMap((row) => {
    const group = identities.get(`${row.unitId}\u0000${row.series}`);
    if (!group) return [];
    return {
      unitId: row.unitId,
      series: row.series,
      node: group.node,
      itemId: group.itemId,
      subjectId: group.subjectId,
      instance: group.instance,
      at: row.at,
      cpu: row.cpu,
      ram: row.ram,
      download: row.download ?? null,
      upload: row.upload ?? null,
      pids: row.pids ?? null,
      partitions: row.partitions ?? [],
    };
  });
  const table = schema.monitoringLatest;
  for (const slice of inSlices(values, CHUNK_ROWS)) {
    await db
      .insert(table)
      .values(slice)
      .onConflictDoUpdate({
        target: [table.unitId, table.series],
        set: {
          node: sql`excluded.node`,
          at: sql`excluded.at`,
          cpu: sql`excluded.cpu`,
          ram: sql`excluded.ram`,
          download: sql`excluded.download`,
          upload: sql`excluded.upload`,
          pids: sql`excluded.pids`,
          partitions: sql`excluded.partitions`,
        },
        setWhere: sql`excluded.at >= ${table.at}`,
      });
  }
}
