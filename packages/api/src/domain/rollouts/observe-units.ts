import { and, eq, inArray } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { isOnlineSql } from '../unit-status/connection.js';
import type { UnitObservation } from './decide.js';
import { judgeVersionHealth, type ReportedService } from './judge-health.js';

/**
 * What the cloud knows of how each unit runs one version of a service: whether it is online
 * (units, with its process's lease) and its last reported items and instances of the service
 * (unit_item_statuses, unit_instance_statuses — v7 unitStatus gives a version per item and per
 * instance group), and the service's quota alerts still active there (unit_alerts), judged by
 * judgeVersionHealth.
 */
export async function observeUnits(
  db: Database,
  leaseSeconds: number,
  serviceId: string,
  version: string,
  unitIds: string[],
): Promise<Map<string, UnitObservation>> {
  const observations = new Map<string, UnitObservation>();
  if (unitIds.length === 0) return observations;
  const units = await db
    .select({ id: schema.units.id, isOnline: isOnlineSql(leaseSeconds) })
    .from(schema.units)
    .where(inArray(schema.units.id, unitIds));
  const items = await db
    .select()
    .from(schema.unitItemStatuses)
    .where(and(eq(schema.unitItemStatuses.itemId, serviceId), inArray(schema.unitItemStatuses.unitId, unitIds)));
  const instances = await db
    .select()
    .from(schema.unitInstanceStatuses)
    .where(
      and(eq(schema.unitInstanceStatuses.itemId, serviceId), inArray(schema.unitInstanceStatuses.unitId, unitIds)),
    );
  const alerts = await db
    .select({ unitId: schema.unitAlerts.unitId, parameter: schema.unitAlerts.parameter })
    .from(schema.unitAlerts)
    .where(
      and(
        eq(schema.unitAlerts.serviceId, serviceId),
        eq(schema.unitAlerts.kind, 'instance-quota'),
        eq(schema.unitAlerts.active, true),
        inArray(schema.unitAlerts.unitId, unitIds),
      ),
    );
  const reported = new Map<string, ReportedService>();
  const of = (unitId: string) => {
    let entry = reported.get(unitId);
    if (!entry) reported.set(unitId, (entry = { items: [], instances: [] }));
    return entry;
  };
  for (const row of items)
    of(row.unitId).items.push({ version: row.version, state: row.state, errorMessage: row.errorInfo?.message });
  for (const row of instances)
    of(row.unitId).instances.push({ version: row.version, state: row.state, errorMessage: row.errorInfo?.message });
  for (const row of alerts) (of(row.unitId).activeQuotaAlerts ??= []).push(row.parameter ?? 'quota');
  for (const unit of units) {
    observations.set(unit.id, {
      isOnline: unit.isOnline === true,
      version: judgeVersionHealth(reported.get(unit.id) ?? { items: [], instances: [] }, version),
    });
  }
  return observations;
}
