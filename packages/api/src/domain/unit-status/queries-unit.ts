import { and, desc, eq, inArray } from 'drizzle-orm';
import { schema, type ReportedError } from '@openaos/db';
import type { Actor } from '../../actor.js';
import { ApiError } from '../../errors.js';
import { findOwnedByReference, readUnitView, requireOem, type UnitReadDependencies, type UnitView } from '../units.js';
import { toIso } from '../util.js';
import { readDesiredDocument, type DesiredSummary } from './read-desired.js';

export interface ItemStatusView {
  serviceId: string;
  /** The service's title, or null when the cloud no longer knows it. */
  title: string | null;
  version: string;
  state: string;
  errorInfo: ReportedError | null;
  reportedAt: string;
}

export interface InstanceStatusView extends ItemStatusView {
  subjectId: string;
  subjectName: string | null;
  instance: number;
}

export interface UnitStatusEventView {
  id: number;
  at: string;
  kind: string;
  subject: string;
  state: string;
  version: string | null;
  errorInfo: ReportedError | null;
}

export interface UnitStatusDetail {
  unit: UnitView;
  /** The last desired status the cloud issued to the unit; null before the first. */
  desired: DesiredSummary | null;
  /** What the unit last reported, each value with when; stale while the unit is offline. */
  items: ItemStatusView[];
  instances: InstanceStatusView[];
  nodeInfo: unknown[] | null;
  /** The newest history events (up to 20). */
  recentEvents: UnitStatusEventView[];
}

export const HISTORY_LIMIT = { default: 50, max: 500 } as const;

/** A unit's status as the cloud knows it: OEM users of its organisation only; by unit ID or system ID. */
export async function unitStatus(
  deps: UnitReadDependencies,
  actor: Actor,
  input: { unit: string },
): Promise<UnitStatusDetail> {
  const organisationId = requireOem(actor, 'showing the status of a unit');
  const row = await findOwnedByReference(deps.db, organisationId, input.unit);
  const [unit, desiredRows, itemRows, instanceRows, recentEvents] = await Promise.all([
    readUnitView(deps, organisationId, row.id),
    deps.db.select().from(schema.unitDesiredStatuses).where(eq(schema.unitDesiredStatuses.unitId, row.id)),
    deps.db
      .select()
      .from(schema.unitItemStatuses)
      .where(eq(schema.unitItemStatuses.unitId, row.id))
      .orderBy(schema.unitItemStatuses.itemId, schema.unitItemStatuses.version),
    deps.db
      .select()
      .from(schema.unitInstanceStatuses)
      .where(eq(schema.unitInstanceStatuses.unitId, row.id))
      .orderBy(
        schema.unitInstanceStatuses.itemId,
        schema.unitInstanceStatuses.subjectId,
        schema.unitInstanceStatuses.instance,
      ),
    readHistory(deps, row.id, 20),
  ]);
  const desiredRow = desiredRows[0];
  const serviceIds = [
    ...itemRows.map((item) => item.itemId),
    ...instanceRows.map((instance) => instance.itemId),
    ...(desiredRow ? readDesiredDocument(desiredRow, () => null).items.map((item) => item.serviceId) : []),
  ];
  const [titles, subjectNames] = await Promise.all([
    namesOf(deps, 'services', serviceIds, organisationId),
    namesOf(
      deps,
      'subjects',
      instanceRows.map((instance) => instance.subjectId),
      organisationId,
    ),
  ]);
  const titleOf = (id: string) => titles.get(id) ?? null;
  return {
    unit,
    desired: desiredRow ? readDesiredDocument(desiredRow, titleOf) : null,
    items: itemRows.map((item) => ({
      serviceId: item.itemId,
      title: titleOf(item.itemId),
      version: item.version,
      state: item.state,
      errorInfo: item.errorInfo ?? null,
      reportedAt: toIso(item.reportedAt),
    })),
    instances: instanceRows.map((instance) => ({
      serviceId: instance.itemId,
      title: titleOf(instance.itemId),
      subjectId: instance.subjectId,
      subjectName: subjectNames.get(instance.subjectId) ?? null,
      instance: instance.instance,
      version: instance.version,
      state: instance.state,
      errorInfo: instance.errorInfo ?? null,
      reportedAt: toIso(instance.reportedAt),
    })),
    nodeInfo: row.nodeInfo ?? null,
    recentEvents,
  };
}

/** A unit's history, newest first: OEM users of its organisation only. */
export async function unitHistory(
  deps: UnitReadDependencies,
  actor: Actor,
  input: { unit: string; limit?: number | undefined },
): Promise<{ unitId: string; systemId: string; events: UnitStatusEventView[] }> {
  const organisationId = requireOem(actor, 'showing the history of a unit');
  const limit = input.limit ?? HISTORY_LIMIT.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_LIMIT.max) {
    throw new ApiError('invalid-input', `limit: ${limit} is out of range; give 1 to ${HISTORY_LIMIT.max}`);
  }
  const unit = await findOwnedByReference(deps.db, organisationId, input.unit);
  return { unitId: unit.id, systemId: unit.systemId, events: await readHistory(deps, unit.id, limit) };
}

async function readHistory(deps: UnitReadDependencies, unitId: string, limit: number): Promise<UnitStatusEventView[]> {
  const rows = await deps.db
    .select()
    .from(schema.unitStatusEvents)
    .where(eq(schema.unitStatusEvents.unitId, unitId))
    .orderBy(desc(schema.unitStatusEvents.at), desc(schema.unitStatusEvents.id))
    .limit(limit);
  return rows.map((row) => ({
    id: row.id,
    at: toIso(row.at),
    kind: row.kind,
    subject: row.subject,
    state: row.state,
    version: row.version,
    errorInfo: row.errorInfo ?? null,
  }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Titles of services (OEM users see all) / names of the organisation's subjects by id (reported ids are text, may be anything). */
async function namesOf(
  deps: UnitReadDependencies,
  table: 'services' | 'subjects',
  ids: string[],
  organisationId: string,
): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)].filter((id) => UUID.test(id));
  if (wanted.length === 0) return new Map();
  const rows =
    table === 'services'
      ? await deps.db
          .select({ id: schema.services.id, name: schema.services.title })
          .from(schema.services)
          .where(inArray(schema.services.id, wanted))
      : await deps.db
          .select({ id: schema.subjects.id, name: schema.subjects.name })
          .from(schema.subjects)
          .where(and(inArray(schema.subjects.id, wanted), eq(schema.subjects.organisationId, organisationId)));
  return new Map(rows.map((row) => [row.id, row.name]));
}
