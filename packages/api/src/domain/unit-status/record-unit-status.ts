import { inArray, sql } from 'drizzle-orm';
import { schema, type Database, type ReportedError } from '@openaos/db';
import type { UnitStatus } from '@openaos/protocol/v7';
import type { CloudDependencies } from '../../dependencies.js';
import { eachAloneOnFailure, inSlices } from '../util.js';

interface ItemRow {
  itemId: string;
  version: string;
  state: string;
  errorInfo: ReportedError | null;
}
interface InstanceRow extends ItemRow {
  subjectId: string;
  instance: number;
}

const itemKey = (row: { itemId: string; version: string }) => `${row.itemId}@${row.version}`;
const instanceKey = (row: { itemId: string; subjectId: string; instance: number }) =>
  `${row.itemId}/${row.subjectId}/${row.instance}`;

/**
 * Record a unitStatus the unit sent (docs/unit-channel.md "Unit status"). A full report
 * (`isDeltaInfo` not true) replaces the unit's item and instance rows; a delta updates the rows it
 * names. Every row carries the time the cloud received it; every change (new row, other state,
 * version or error, a row a full report dropped) is added to the unit's history. The node list
 * of a report that has one is kept as `nodeInfo`. Returns the number of changes. One report of
 * {@link recordUnitStatuses}.
 */
export async function recordUnitStatus(
  deps: Pick<CloudDependencies, 'db' | 'now'>,
  unitId: string,
  status: UnitStatus,
): Promise<number> {
  const [changes] = await recordUnitStatusesTogether(deps, [{ unitId, status }]);
  return changes ?? 0;
}

/** A report to record: which unit sent it. */
export interface ReceivedUnitStatus {
  unitId: string;
  status: UnitStatus;
}

/**
 * {@link recordUnitStatus} for many reports at once, set-based: one transaction reads the previous
 * rows of all their units (two queries), then writes every unit's rows, history and node lists in
 * multi-row statements. Reports of the same unit are applied in their order. Returns the number of
 * changes per report, in order. When the batch fails (a unit deleted meanwhile, say), each report
 * is recorded on its own, so only the faulty ones reject: their entry is the Error.
 */
export async function recordUnitStatuses(
  deps: Pick<CloudDependencies, 'db' | 'now'>,
  reports: readonly ReceivedUnitStatus[],
): Promise<(number | Error)[]> {
  if (reports.length === 0) return [];
  return eachAloneOnFailure(reports, (batch) => recordUnitStatusesTogether(deps, batch));
}

/** Rows per multi-row statement (PostgreSQL takes at most 65,535 parameters a statement). */
const ROWS_PER_STATEMENT = 2000;

async function recordUnitStatusesTogether(
  deps: Pick<CloudDependencies, 'db' | 'now'>,
  reports: readonly ReceivedUnitStatus[],
): Promise<number[]> {
  const at = deps.now();
  // Rounds in which each unit appears once, so one round's statements never touch a row twice.
  const rounds: { index: number; report: ReceivedUnitStatus }[][] = [];
  const roundOfUnit = new Map<string, number>();
  reports.forEach((report, index) => {
    const round = roundOfUnit.get(report.unitId) ?? 0;
    roundOfUnit.set(report.unitId, round + 1);
    (rounds[round] ??= []).push({ index, report });
  });
  const results = new Array<number>(reports.length).fill(0);
  await deps.db.transaction(async (tx) => {
    for (const round of rounds) {
      const counts = await recordRound(
        tx,
        round.map((entry) => entry.report),
        at,
      );
      round.forEach((entry, position) => (results[entry.index] = counts[position] ?? 0));
    }
  });
  return results;
}

async function recordRound(db: Database, reports: ReceivedUnitStatus[], at: Date): Promise<number[]> {
  const unitIds = reports.map((report) => report.unitId);
  const previousItems = await db
    .select()
    .from(schema.unitItemStatuses)
    .where(inArray(schema.unitItemStatuses.unitId, unitIds));
  const previousInstances = await db
    .select()
    .from(schema.unitInstanceStatuses)
    .where(inArray(schema.unitInstanceStatuses.unitId, unitIds));
  const itemsOfUnit = groupByUnit(previousItems);
  const instancesOfUnit = groupByUnit(previousInstances);
  const events: (typeof schema.unitStatusEvents.$inferInsert)[] = [];
  const itemRows: (typeof schema.unitItemStatuses.$inferInsert)[] = [];
  const instanceRows: (typeof schema.unitInstanceStatuses.$inferInsert)[] = [];
  const fullUnitIds: string[] = [];
  const nodeInfos: { unitId: string; nodes: unknown[] }[] = [];
  const counts = reports.map(({ unitId, status }) => {
    const before = eventsOf(unitId, status, itemsOfUnit.get(unitId) ?? [], instancesOfUnit.get(unitId) ?? [], at);
    events.push(...before.events);
    if (status.isDeltaInfo !== true) fullUnitIds.push(unitId);
    for (const row of before.items) itemRows.push({ unitId, ...row, reportedAt: at });
    for (const row of before.instances) instanceRows.push({ unitId, ...row, reportedAt: at });
    if (status.nodes) nodeInfos.push({ unitId, nodes: status.nodes as unknown[] });
    return before.events.length;
  });
  if (fullUnitIds.length > 0) {
    await db.delete(schema.unitItemStatuses).where(inArray(schema.unitItemStatuses.unitId, fullUnitIds));
    await db.delete(schema.unitInstanceStatuses).where(inArray(schema.unitInstanceStatuses.unitId, fullUnitIds));
  }
  for (const chunk of inSlices(itemRows, ROWS_PER_STATEMENT)) await upsertItems(db, chunk);
  for (const chunk of inSlices(instanceRows, ROWS_PER_STATEMENT)) await upsertInstances(db, chunk);
  for (const chunk of inSlices(events, ROWS_PER_STATEMENT)) await db.insert(schema.unitStatusEvents).values(chunk);
  for (const chunk of inSlices(nodeInfos, ROWS_PER_STATEMENT)) {
    const values = sql.join(
      chunk.map((entry) => sql`(${entry.unitId}::uuid, ${JSON.stringify(entry.nodes)}::jsonb)`),
      sql`, `,
    );
    await db.execute(
      sql`update ${schema.units} set node_info = v.node_info from (values ${values}) as v(id, node_info) where ${schema.units.id} = v.id`,
    );
  }
  return counts;
}

/** The history rows one report adds, and the rows it writes. */
function eventsOf(
  unitId: string,
  status: UnitStatus,
  previousItems: ItemRow[],
  previousInstances: InstanceRow[],
  at: Date,
): { events: (typeof schema.unitStatusEvents.$inferInsert)[]; items: ItemRow[]; instances: InstanceRow[] } {
  const items = readItems(status);
  const instances = readInstances(status);
  const isFull = status.isDeltaInfo !== true;
  const events = [
    ...historyOf({ unitId, at, isFull, kind: 'item', reported: items, previous: previousItems, key: itemKey }),
    ...historyOf({
      unitId,
      at,
      isFull,
      kind: 'instance',
      reported: instances,
      previous: previousInstances,
      key: instanceKey,
    }),
  ];
  return { events, items, instances };
}

/**
 * The history rows of one kind of a report's rows: each new or changed row, and, for a full
 * report, each previous row it no longer names (`absent`).
 */
function historyOf<T extends ItemRow>(input: {
  unitId: string;
  at: Date;
  isFull: boolean;
  kind: 'item' | 'instance';
  reported: T[];
  previous: T[];
  key: (row: T) => string;
}): (typeof schema.unitStatusEvents.$inferInsert)[] {
  const { unitId, at, kind, key } = input;
  const before = new Map(input.previous.map((row) => [key(row), row]));
  const events: (typeof schema.unitStatusEvents.$inferInsert)[] = input.reported
    .filter((row) => isChanged(before.get(key(row)), row))
    .map((row) => ({
      unitId,
      at,
      kind,
      subject: key(row),
      state: row.state,
      version: row.version,
      errorInfo: row.errorInfo,
    }));
  if (input.isFull) {
    const reported = new Set(input.reported.map(key));
    for (const row of input.previous)
      if (!reported.has(key(row)))
        events.push({ unitId, at, kind, subject: key(row), state: 'absent', version: row.version });
  }
  return events;
}

function groupByUnit<T extends { unitId: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.unitId);
    if (group) group.push(row);
    else groups.set(row.unitId, [row]);
  }
  return groups;
}

async function upsertItems(db: Database, rows: (typeof schema.unitItemStatuses.$inferInsert)[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(schema.unitItemStatuses)
    .values(rows)
    .onConflictDoUpdate({
      target: [schema.unitItemStatuses.unitId, schema.unitItemStatuses.itemId, schema.unitItemStatuses.version],
      set: { state: sql`excluded.state`, errorInfo: sql`excluded.error_info`, reportedAt: sql`excluded.reported_at` },
    });
}

async function upsertInstances(db: Database, rows: (typeof schema.unitInstanceStatuses.$inferInsert)[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(schema.unitInstanceStatuses)
    .values(rows)
    .onConflictDoUpdate({
      target: [
        schema.unitInstanceStatuses.unitId,
        schema.unitInstanceStatuses.itemId,
        schema.unitInstanceStatuses.subjectId,
        schema.unitInstanceStatuses.instance,
      ],
      set: {
        version: sql`excluded.version`,
        state: sql`excluded.state`,
        errorInfo: sql`excluded.error_info`,
        reportedAt: sql`excluded.reported_at`,
      },
    });
}

function isChanged(before: ItemRow | undefined, after: ItemRow): boolean {
  return (
    !before ||
    before.state !== after.state ||
    before.version !== after.version ||
    JSON.stringify(before.errorInfo ?? null) !== JSON.stringify(after.errorInfo ?? null)
  );
}

function readError(
  errorInfo: { aosCode?: number; exitCode?: number; message?: string } | undefined,
): ReportedError | null {
  if (!errorInfo || Object.keys(errorInfo).length === 0) return null;
  return { ...errorInfo };
}

/** The reported items, one per (item, version): the last one wins when a report repeats a key. */
function readItems(status: UnitStatus): ItemRow[] {
  const rows = new Map<string, ItemRow>();
  for (const item of status.items ?? []) {
    const itemId = item.item.id ?? item.item.codename;
    if (!itemId) continue;
    const row = { itemId, version: item.version, state: item.state, errorInfo: readError(item.errorInfo) };
    rows.set(itemKey(row), row);
  }
  return [...rows.values()];
}

function readInstances(status: UnitStatus): InstanceRow[] {
  const rows = new Map<string, InstanceRow>();
  for (const group of status.instances ?? []) {
    const itemId = group.item.id ?? group.item.codename;
    const subjectId = group.subject.id ?? group.subject.codename;
    if (!itemId || !subjectId) continue;
    for (const instance of group.instances) {
      const row = {
        itemId,
        subjectId,
        instance: instance.instance,
        version: group.version,
        state: instance.state,
        errorInfo: readError(instance.errorInfo),
      };
      rows.set(instanceKey(row), row);
    }
  }
  return [...rows.values()];
}
