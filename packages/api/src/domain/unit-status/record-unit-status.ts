import { eq, sql } from 'drizzle-orm';
import { schema, type Database, type ReportedError } from '@openaos/db';
import type { UnitStatus } from '@openaos/protocol/v7';
import type { CloudDependencies } from '../../dependencies.js';

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
 * of a report that has one is kept as `nodeInfo`. Returns the number of changes.
 */
export async function recordUnitStatus(
  deps: Pick<CloudDependencies, 'db' | 'now'>,
  unitId: string,
  status: UnitStatus,
): Promise<number> {
  const at = deps.now();
  const items = readItems(status);
  const instances = readInstances(status);
  const isFull = status.isDeltaInfo !== true;
  return deps.db.transaction(async (tx) => {
    const previousItems = await tx
      .select()
      .from(schema.unitItemStatuses)
      .where(eq(schema.unitItemStatuses.unitId, unitId));
    const previousInstances = await tx
      .select()
      .from(schema.unitInstanceStatuses)
      .where(eq(schema.unitInstanceStatuses.unitId, unitId));
    const events: (typeof schema.unitStatusEvents.$inferInsert)[] = [];
    const before = new Map(previousItems.map((row) => [itemKey(row), row]));
    for (const row of items) {
      if (isChanged(before.get(itemKey(row)), row))
        events.push({
          unitId,
          at,
          kind: 'item',
          subject: itemKey(row),
          state: row.state,
          version: row.version,
          errorInfo: row.errorInfo,
        });
    }
    const beforeInstances = new Map(previousInstances.map((row) => [instanceKey(row), row]));
    for (const row of instances) {
      if (isChanged(beforeInstances.get(instanceKey(row)), row))
        events.push({
          unitId,
          at,
          kind: 'instance',
          subject: instanceKey(row),
          state: row.state,
          version: row.version,
          errorInfo: row.errorInfo,
        });
    }
    if (isFull) {
      const reported = new Set(items.map(itemKey));
      for (const row of previousItems)
        if (!reported.has(itemKey(row)))
          events.push({ unitId, at, kind: 'item', subject: itemKey(row), state: 'absent', version: row.version });
      const reportedInstances = new Set(instances.map(instanceKey));
      for (const row of previousInstances)
        if (!reportedInstances.has(instanceKey(row)))
          events.push({
            unitId,
            at,
            kind: 'instance',
            subject: instanceKey(row),
            state: 'absent',
            version: row.version,
          });
      await tx.delete(schema.unitItemStatuses).where(eq(schema.unitItemStatuses.unitId, unitId));
      await tx.delete(schema.unitInstanceStatuses).where(eq(schema.unitInstanceStatuses.unitId, unitId));
    }
    await upsertItems(tx, unitId, items, at);
    await upsertInstances(tx, unitId, instances, at);
    if (events.length > 0) await tx.insert(schema.unitStatusEvents).values(events);
    if (status.nodes) await tx.update(schema.units).set({ nodeInfo: status.nodes }).where(eq(schema.units.id, unitId));
    return events.length;
  });
}

async function upsertItems(db: Database, unitId: string, rows: ItemRow[], at: Date): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(schema.unitItemStatuses)
    .values(rows.map((row) => ({ unitId, ...row, reportedAt: at })))
    .onConflictDoUpdate({
      target: [schema.unitItemStatuses.unitId, schema.unitItemStatuses.itemId, schema.unitItemStatuses.version],
      set: { state: sql`excluded.state`, errorInfo: sql`excluded.error_info`, reportedAt: sql`excluded.reported_at` },
    });
}

async function upsertInstances(db: Database, unitId: string, rows: InstanceRow[], at: Date): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(schema.unitInstanceStatuses)
    .values(rows.map((row) => ({ unitId, ...row, reportedAt: at })))
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
