import { inArray } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import type { Actor } from '../actor.js';
import type { UnitEvent } from '../unit-events/unit-events.js';

/** What a live view is told: "look again" for these units and services. */
export interface LiveChange {
  kind: UnitEvent['kind'];
  /** Units the viewer may see (always empty for SP users: units are the OEM's). */
  unitIds: string[];
  /** Services the change concerns that the viewer may see. */
  serviceIds: string[];
}

/** The owners of what one event names, read once per event for every viewer. */
export interface EventOwners {
  event: UnitEvent;
  unitOrganisation: Map<string, string>;
  /** Services the event concerns (its own list, else those the units report) and their organisations. */
  serviceOrganisation: Map<string, string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function readEventOwners(db: Database, event: UnitEvent): Promise<EventOwners> {
  const units =
    event.unitIds.length > 0
      ? await db
          .select({ id: schema.units.id, organisationId: schema.units.organisationId })
          .from(schema.units)
          .where(inArray(schema.units.id, event.unitIds))
      : [];
  let serviceIds = event.serviceIds;
  if (!serviceIds && event.unitIds.length > 0) {
    // A status change says nothing of services: those the units report are the ones it may concern.
    const reported = await db
      .selectDistinct({ id: schema.unitItemStatuses.itemId })
      .from(schema.unitItemStatuses)
      .where(inArray(schema.unitItemStatuses.unitId, event.unitIds));
    serviceIds = reported.map((row) => row.id);
  }
  const valid = (serviceIds ?? []).filter((id) => UUID.test(id));
  const services =
    valid.length > 0
      ? await db
          .select({ id: schema.services.id, organisationId: schema.services.organisationId })
          .from(schema.services)
          .where(inArray(schema.services.id, valid))
      : [];
  return {
    event,
    unitOrganisation: new Map(units.map((row) => [row.id, row.organisationId])),
    serviceOrganisation: new Map(services.map((row) => [row.id, row.organisationId])),
  };
}

/**
 * What `actor` may hear of an event, or undefined for nothing: an OEM user the units of their
 * organisation (with the services named), and every catalogue change; an SP user the services of
 * their organisation (no units); an admin everything.
 */
export function scopeChange(actor: Actor, owners: EventOwners): LiveChange | undefined {
  const { event } = owners;
  if (actor.role === 'admin')
    return { kind: event.kind, unitIds: event.unitIds, serviceIds: [...owners.serviceOrganisation.keys()] };
  if (actor.role === 'oem' && event.kind === 'catalogue-changed') {
    // The catalogue an OEM binds from holds every SP's services (their ready versions).
    const serviceIds = [...owners.serviceOrganisation.keys()];
    return serviceIds.length > 0 ? { kind: event.kind, unitIds: [], serviceIds } : undefined;
  }
  if (actor.role === 'oem') {
    const unitIds = event.unitIds.filter((id) => owners.unitOrganisation.get(id) === actor.organisationId);
    return unitIds.length > 0
      ? { kind: event.kind, unitIds, serviceIds: [...owners.serviceOrganisation.keys()] }
      : undefined;
  }
  const serviceIds = [...owners.serviceOrganisation]
    .filter(([, organisationId]) => organisationId === actor.organisationId)
    .map(([id]) => id);
  return serviceIds.length > 0 ? { kind: event.kind, unitIds: [], serviceIds } : undefined;
}
