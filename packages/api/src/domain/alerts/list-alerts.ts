import { and, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { Actor } from '../../actor.js';
import type { CloudDependencies } from '../../dependencies.js';
import { ApiError } from '../../errors.js';
import { findVisible } from '../service-access.js';
import { findOwnedByReference } from '../units.js';
import { toIso } from '../util.js';
import { INSTANCE_KINDS, type AlertKind } from './alert-kinds.js';

export interface AlertView {
  id: number;
  kind: AlertKind;
  tag: string;
  /** The unit; null for SP users (units are the OEM's: they see their services' instances, not where). */
  unit: { id: string; systemId: string } | null;
  service: { id: string; title: string | null } | null;
  subjectId: string | null;
  instance: number | null;
  nodeId: string | null;
  parameter: string | null;
  value: number | null;
  peak: number | null;
  message: string | null;
  state: string | null;
  active: boolean;
  raisedAt: string;
  lastAt: string;
  fallenAt: string | null;
  events: number;
}

export interface AlertPage {
  alerts: AlertView[];
  /** Pass as `cursor` for the next (older) page; null on the last. */
  nextCursor: string | null;
}

export interface ListAlertsInput {
  /** One unit (system ID or unit ID); OEM users only. */
  unit?: string | undefined;
  serviceId?: string | undefined;
  kinds?: AlertKind[] | undefined;
  /** Only active (raised, not fallen) quota alerts; false: only the others. */
  active?: boolean | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

export const ALERT_PAGE = { default: 50, max: 500 } as const;

/**
 * Alerts newest first (by their last event), filtered and paged. Who sees what: an OEM user the
 * alerts of their organisation's units; an SP user the instance alerts (quota, instance, device)
 * of their own services' instances, without the unit; an admin everything.
 */
export async function listAlerts(
  deps: Pick<CloudDependencies, 'db'>,
  actor: Actor,
  input: ListAlertsInput,
): Promise<AlertPage> {
  const column = schema.unitAlerts;
  const where: (SQL | undefined)[] = [];
  const action = 'listing alerts';
  // A service the caller cannot see is not-found, whatever else the caller may see.
  if (input.serviceId) {
    await findVisible(deps.db, actor, input.serviceId);
    where.push(eq(column.serviceId, input.serviceId));
  }
  if (actor.role === 'sp') {
    if (input.unit)
      throw new ApiError(
        'forbidden',
        `${action}: units are the OEM's, so an SP user cannot filter by unit; give --service <id> (or nothing) to see your services' alerts`,
      );
    const own = actor.organisationId
      ? (
          await deps.db
            .select({ id: schema.services.id })
            .from(schema.services)
            .where(eq(schema.services.organisationId, actor.organisationId))
        ).map((row) => row.id)
      : [];
    if (own.length === 0) return { alerts: [], nextCursor: null };
    where.push(inArray(column.serviceId, own), inArray(column.kind, [...INSTANCE_KINDS]));
  } else if (actor.role === 'oem') {
    if (!actor.organisationId)
      throw new ApiError('forbidden', `${action}: you do not belong to an organisation; sign in as a user of one`);
    where.push(eq(schema.units.organisationId, actor.organisationId));
  }
  if (input.unit) {
    if (actor.role !== 'oem' || !actor.organisationId)
      throw new ApiError('forbidden', `${action}: filtering by unit needs the OEM user who owns the unit`);
    const unit = await findOwnedByReference(deps.db, actor.organisationId, input.unit);
    where.push(eq(column.unitId, unit.id));
  }
  if (input.kinds && input.kinds.length > 0) where.push(inArray(column.kind, input.kinds));
  if (input.active !== undefined) where.push(eq(column.active, input.active));
  if (input.since) where.push(gte(column.lastAt, input.since));
  if (input.until) where.push(lte(column.lastAt, input.until));
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  if (cursor)
    where.push(
      or(lt(column.lastAt, cursor.lastAt), and(eq(column.lastAt, cursor.lastAt), lt(column.id, cursor.id))) as SQL,
    );
  const limit = input.limit ?? ALERT_PAGE.default;
  const rows = await deps.db
    .select({ alert: column, systemId: schema.units.systemId, title: schema.services.title })
    .from(column)
    .innerJoin(schema.units, eq(column.unitId, schema.units.id))
    .leftJoin(schema.services, eq(schema.services.id, safeUuid(column.serviceId)))
    .where(and(...where))
    .orderBy(desc(column.lastAt), desc(column.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const showUnit = actor.role !== 'sp';
  return {
    alerts: page.map(({ alert, systemId, title }) => ({
      id: alert.id,
      kind: alert.kind as AlertKind,
      tag: alert.tag,
      unit: showUnit ? { id: alert.unitId, systemId } : null,
      service: alert.serviceId ? { id: alert.serviceId, title: title ?? null } : null,
      subjectId: alert.subjectId,
      instance: alert.instance,
      nodeId: alert.nodeId,
      parameter: alert.parameter,
      value: alert.value,
      peak: alert.peak,
      message: alert.message,
      state: alert.state,
      active: alert.active,
      raisedAt: toIso(alert.raisedAt),
      lastAt: toIso(alert.lastAt),
      fallenAt: toIso(alert.fallenAt),
      events: alert.events,
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last.alert.lastAt, last.alert.id) : null,
  };
}

/** service_id is text (a unit may name a service the cloud no longer has, or a codename): join only UUIDs. */
function safeUuid(value: typeof schema.unitAlerts.serviceId) {
  return sql`case when ${value} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then ${value}::uuid end`;
}

function encodeCursor(lastAt: Date, id: number): string {
  return Buffer.from(`${lastAt.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { lastAt: Date; id: number } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const lastAt = new Date(at ?? '');
  const number = Number(id);
  if (Number.isNaN(lastAt.getTime()) || !Number.isSafeInteger(number))
    throw new ApiError(
      'invalid-input',
      'listing alerts: the cursor is not one this cloud gave; start from the first page',
    );
  return { lastAt, id: number };
}
