/**
 * Recording the v7 `alerts` a unit sends (docs/alerts-and-state.md). Invariants:
 * - A quota alert with the OpenAos `state` field is one episode per (unit, kind, node or
 *   instance, parameter): `raise` opens a row (active), `continue` updates it, `fall` closes it.
 *   A `continue` or `fall` whose raise the cloud never got opens the row itself. A quota alert
 *   without `state` (another unit's agent) is a row of its own, never active.
 * - A download progress alert updates the unit's one row for its digest (inserted on the first).
 * - Every other alert is a row of its own.
 * Retention is applied to the unit after each batch (retention.ts).
 */
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import type { Alert, AosIdentity } from '@openaos/protocol/v7';
import type { CloudDependencies } from '../../dependencies.js';
import { KIND_OF_TAG, type AlertKind } from './alert-kinds.js';
import { pruneUnitAlerts } from './retention.js';

type Row = typeof schema.unitAlerts.$inferInsert;

export interface RecordedAlerts {
  /** Rows inserted or changed. */
  changes: number;
  /** Services named by the alerts recorded (for the live views of their SP users). */
  serviceIds: string[];
}

const nameOf = (identity: AosIdentity | undefined): string | null => identity?.id ?? identity?.codename ?? null;

/** The row an alert describes (before it is merged into an episode or a download row). */
export function describeAlert(alert: Alert, receivedAt: Date): Row & { kind: AlertKind } {
  const at = new Date(alert.timestamp);
  const when = Number.isNaN(at.getTime()) ? receivedAt : at;
  const base = {
    unitId: '',
    kind: KIND_OF_TAG[alert.tag],
    tag: alert.tag,
    raisedAt: when,
    lastAt: when,
    receivedAt,
    payload: alert as unknown as Record<string, unknown>,
  };
  switch (alert.tag) {
    case 'systemAlert':
      return { ...base, nodeId: nameOf(alert.node), message: alert.message };
    case 'coreAlert':
      return { ...base, nodeId: nameOf(alert.node), parameter: alert.coreComponent, message: alert.message };
    case 'systemQuotaAlert':
      return {
        ...base,
        nodeId: nameOf(alert.node),
        parameter: alert.parameter,
        value: alert.value,
        peak: alert.value,
        state: alert.state ?? null,
      };
    case 'instanceQuotaAlert':
      return {
        ...base,
        serviceId: nameOf(alert.item),
        subjectId: nameOf(alert.subject),
        instance: alert.instance,
        parameter: alert.parameter,
        value: alert.value,
        peak: alert.value,
        state: alert.state ?? null,
      };
    case 'updateItemInstanceAlert':
      return {
        ...base,
        serviceId: nameOf(alert.item),
        subjectId: nameOf(alert.subjectId),
        instance: alert.instance,
        parameter: alert.version,
        message: alert.message,
      };
    case 'deviceAllocateAlert':
      return {
        ...base,
        serviceId: nameOf(alert.item),
        subjectId: nameOf(alert.subject),
        instance: alert.instance,
        nodeId: nameOf(alert.node),
        parameter: alert.deviceId,
        message: alert.message,
      };
    case 'downloadProgressAlert':
      return {
        ...base,
        parameter: alert.digest,
        value: alert.downloadedBytes,
        peak: alert.totalBytes,
        state: alert.state,
        message: alert.reason ?? alert.errorInfo?.message ?? null,
      };
  }
}

/** Record a batch of alerts of one unit, in order, in one transaction; then apply the retention. */
export async function recordAlerts(
  deps: Pick<CloudDependencies, 'db' | 'now'>,
  unitId: string,
  alerts: readonly Alert[],
): Promise<RecordedAlerts> {
  if (alerts.length === 0) return { changes: 0, serviceIds: [] };
  const receivedAt = deps.now();
  const serviceIds = new Set<string>();
  let changes = 0;
  await deps.db.transaction(async (tx) => {
    for (const alert of alerts) {
      const row = { ...describeAlert(alert, receivedAt), unitId };
      if (row.serviceId) serviceIds.add(row.serviceId);
      changes += await recordOne(tx as unknown as Database, row);
    }
  });
  await pruneUnitAlerts(deps.db, unitId, receivedAt);
  return { changes, serviceIds: [...serviceIds] };
}

async function recordOne(db: Database, row: Row & { kind: AlertKind }): Promise<number> {
  if (row.kind === 'download') return recordDownload(db, row);
  if ((row.kind === 'instance-quota' || row.kind === 'system-quota') && row.state) return recordQuota(db, row);
  await db.insert(schema.unitAlerts).values(row);
  return 1;
}

/** The conditions naming the same node or instance and parameter as `row`, within its unit and kind. */
function sameTarget(row: Row): SQL {
  const column = schema.unitAlerts;
  const equal = <T>(field: typeof column.serviceId | typeof column.subjectId | typeof column.nodeId, value: T) =>
    value === null || value === undefined ? isNull(field) : eq(field, value as string);
  return and(
    eq(column.unitId, row.unitId),
    eq(column.kind, row.kind),
    equal(column.serviceId, row.serviceId),
    equal(column.subjectId, row.subjectId),
    row.instance === null || row.instance === undefined ? isNull(column.instance) : eq(column.instance, row.instance),
    equal(column.nodeId, row.nodeId),
    eq(column.parameter, row.parameter ?? ''),
  ) as SQL;
}

async function recordQuota(db: Database, row: Row): Promise<number> {
  const [open] = await db
    .select({ id: schema.unitAlerts.id })
    .from(schema.unitAlerts)
    .where(and(sameTarget(row), eq(schema.unitAlerts.active, true)))
    .orderBy(sql`${schema.unitAlerts.id} desc`)
    .limit(1);
  const isFall = row.state === 'fall';
  if (!open || row.state === 'raise') {
    // A raise while one is open (the unit restarted and lost its alert state): the old one ends here.
    if (open)
      await db
        .update(schema.unitAlerts)
        .set({ active: false, fallenAt: row.lastAt })
        .where(eq(schema.unitAlerts.id, open.id));
    await db.insert(schema.unitAlerts).values({ ...row, active: !isFall, ...(isFall ? { fallenAt: row.lastAt } : {}) });
    return 1;
  }
  await db
    .update(schema.unitAlerts)
    .set({
      value: row.value,
      peak: sql`greatest(coalesce(${schema.unitAlerts.peak}, 0), ${row.value ?? 0})`,
      state: row.state,
      lastAt: row.lastAt,
      receivedAt: row.receivedAt,
      events: sql`${schema.unitAlerts.events} + 1`,
      payload: row.payload,
      ...(isFall ? { active: false, fallenAt: row.lastAt } : {}),
    })
    .where(eq(schema.unitAlerts.id, open.id));
  return 1;
}

async function recordDownload(db: Database, row: Row): Promise<number> {
  const updated = await db
    .update(schema.unitAlerts)
    .set({
      value: row.value,
      peak: row.peak,
      state: row.state,
      message: row.message ?? null,
      lastAt: row.lastAt,
      receivedAt: row.receivedAt,
      events: sql`${schema.unitAlerts.events} + 1`,
      payload: row.payload,
    })
    .where(sameTarget(row))
    .returning({ id: schema.unitAlerts.id });
  if (updated.length === 0) await db.insert(schema.unitAlerts).values(row);
  return 1;
}
