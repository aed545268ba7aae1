/**
 * Who may read which monitoring series. An OEM user: every series of the organisation's units.
 * An SP user: the instance series of their organisation's services only, on whichever unit they
 * run (a unit is found by its system ID or unit ID only if one of those series exists there), and
 * never a node series (unit totals include other providers' services). Admins read none: units
 * are the OEM's and services the SP's.
 */
import { and, eq, inArray, or } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { requireRole, type Actor } from '../../actor.js';
import { findOwnedByReference } from '../units.js';
import { findVisible } from '../service-access.js';
import { notFound } from '../util.js';

export interface MonitoringScope {
  unit: { id: string; systemId: string; nodeInfo: unknown[] | null };
  /** Null: every series of the unit (OEM). Else only instance series of these services. */
  serviceIds: string[] | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The unit the caller may read series of, and which; not-found when it may read none. */
export async function resolveMonitoringScope(
  db: Database,
  actor: Actor,
  input: { unit: string; serviceId?: string | undefined },
): Promise<MonitoringScope> {
  requireRole(actor, ['oem', 'sp'], 'reading monitoring data');
  if (input.serviceId !== undefined) await findVisible(db, actor, input.serviceId);
  if (actor.role === 'oem') {
    const row = await findOwnedByReference(db, actor.organisationId ?? '', input.unit);
    return {
      unit: { id: row.id, systemId: row.systemId, nodeInfo: row.nodeInfo ?? null },
      serviceIds: input.serviceId === undefined ? null : [input.serviceId],
    };
  }
  const own = input.serviceId
    ? [input.serviceId]
    : (
        await db
          .select({ id: schema.services.id })
          .from(schema.services)
          .where(eq(schema.services.organisationId, actor.organisationId ?? ''))
      ).map((row) => row.id);
  const byReference = UUID.test(input.unit)
    ? or(eq(schema.units.systemId, input.unit), eq(schema.units.id, input.unit))
    : eq(schema.units.systemId, input.unit);
  const [row] =
    own.length === 0
      ? []
      : await db
          .selectDistinct({ id: schema.units.id, systemId: schema.units.systemId })
          .from(schema.units)
          .innerJoin(schema.monitoringLatest, eq(schema.monitoringLatest.unitId, schema.units.id))
          .where(and(byReference, inArray(schema.monitoringLatest.itemId, own)));
  if (!row) throw notFound('unit', input.unit);
  return { unit: { id: row.id, systemId: row.systemId, nodeInfo: null }, serviceIds: own };
}
