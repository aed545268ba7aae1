import { and, asc, eq } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { requireRole, type Actor } from '../../actor.js';
import { ApiError } from '../../errors.js';
import { findVisible } from '../service-access.js';

/** What a viewer asks to read: an instance of a service (on a unit), or a unit's agent log. */
export interface LogSelection {
  /** The service whose instance's log to read; absent with `agent`. */
  serviceId?: string | undefined;
  /** The unit's systemId; may be left out when the service runs on one unit in the caller's view. */
  systemId?: string | undefined;
  subjectId?: string | undefined;
  /** The instance index (default: the lowest the unit reports). */
  instance?: number | undefined;
  /** The unit's agent log (OEM users and admins only). */
  agent?: boolean | undefined;
}

export type LogTarget =
  | {
      kind: 'instance';
      unitId: string;
      systemId: string;
      serviceId: string;
      subjectId: string;
      instance: number;
      what: string;
    }
  | { kind: 'agent'; unitId: string; systemId: string; what: string };

/**
 * Who may read which log, decided here for every transport:
 * - an SP user: instances of their organisation's services only, on whichever unit runs them
 *   (another SP's service is "not found", as everywhere);
 * - an OEM user: any instance on their organisation's units, and those units' agent logs;
 * - an admin: everything.
 * The unit must report an instance of the service (its last unitStatus): a log is read only
 * where the instance is.
 */
export async function resolveLogTarget(db: Database, actor: Actor, selection: LogSelection): Promise<LogTarget> {
  if (selection.agent) return resolveAgentTarget(db, actor, selection.systemId);
  if (!selection.serviceId)
    throw new ApiError('invalid-input', 'reading a log: name the service (its ID), or ask for the agent log of a unit');
  const { service } = await findVisible(db, actor, selection.serviceId);
  if (actor.role === 'sp' && actor.organisationId !== service.organisationId)
    throw new ApiError('not-found', `service ${selection.serviceId} not found`);
  const conditions = [eq(schema.unitInstanceStatuses.itemId, service.id)];
  if (selection.systemId) conditions.push(eq(schema.units.systemId, selection.systemId));
  if (selection.subjectId) conditions.push(eq(schema.unitInstanceStatuses.subjectId, selection.subjectId));
  if (selection.instance !== undefined) conditions.push(eq(schema.unitInstanceStatuses.instance, selection.instance));
  if (actor.role === 'oem') conditions.push(eq(schema.units.organisationId, actor.organisationId ?? ''));
  const rows = await db
    .select({
      unitId: schema.units.id,
      systemId: schema.units.systemId,
      subjectId: schema.unitInstanceStatuses.subjectId,
      instance: schema.unitInstanceStatuses.instance,
    })
    .from(schema.unitInstanceStatuses)
    .innerJoin(schema.units, eq(schema.units.id, schema.unitInstanceStatuses.unitId))
    .where(and(...conditions))
    .orderBy(
      asc(schema.units.systemId),
      asc(schema.unitInstanceStatuses.instance),
      asc(schema.unitInstanceStatuses.subjectId),
    );
  const described = describeSelection(selection);
  if (rows.length === 0)
    throw new ApiError(
      'not-found',
      `reading the log of service ${service.id}: no unit${actor.role === 'oem' ? ' of your organisation' : ''} reports ${described}; check aos status --service ${service.id}`,
    );
  const units = [...new Set(rows.map((row) => row.systemId))];
  if (units.length > 1) {
    const which = actor.role === 'sp' ? `${units.length} units` : `units ${units.join(', ')}`;
    throw new ApiError(
      'invalid-input',
      `reading the log of service ${service.id}: ${which} report ${described}; name one with --unit <systemId>`,
    );
  }
  const [row] = rows;
  if (!row) throw new ApiError('internal', 'reading a log: no row');
  return {
    kind: 'instance',
    unitId: row.unitId,
    systemId: row.systemId,
    serviceId: service.id,
    subjectId: row.subjectId,
    instance: row.instance,
    what: `the log of service ${service.id} instance ${row.instance} (subject ${row.subjectId}) on unit ${row.systemId}`,
  };
}

async function resolveAgentTarget(db: Database, actor: Actor, systemId: string | undefined): Promise<LogTarget> {
  requireRole(actor, ['oem', 'admin'], 'reading a unit’s agent log');
  if (!systemId) throw new ApiError('invalid-input', 'reading an agent log: name the unit with --unit <systemId>');
  const [unit] = await db
    .select({ id: schema.units.id, systemId: schema.units.systemId, organisationId: schema.units.organisationId })
    .from(schema.units)
    .where(eq(schema.units.systemId, systemId));
  if (!unit || (actor.role === 'oem' && unit.organisationId !== actor.organisationId))
    throw new ApiError('not-found', `unit ${systemId} not found`);
  return { kind: 'agent', unitId: unit.id, systemId: unit.systemId, what: `the agent log of unit ${unit.systemId}` };
}

function describeSelection(selection: LogSelection): string {
  const parts = [
    selection.instance !== undefined ? `instance ${selection.instance}` : 'an instance',
    selection.subjectId ? `of subject ${selection.subjectId}` : '',
    selection.systemId ? `(unit ${selection.systemId})` : '',
  ];
  return parts.filter(Boolean).join(' ');
}
