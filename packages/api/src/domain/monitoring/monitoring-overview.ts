/**
 * The fleet at a glance for the monitoring page: units online/offline (OEM), instances by
 * reported state, and the top consumers of RAM and CPU now (newest samples of the last
 * {@link CURRENT_SECONDS}). An OEM user sees their organisation's units and every instance on
 * them; an SP user their own services' instances only (and the units those run on).
 */
import { and, desc, eq, gte, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import { schema } from '@openaos/db';
import { requireRole, type Actor } from '../../actor.js';
import type { CloudDependencies } from '../../dependencies.js';
import { countFleetUnits } from '../unit-status/count-units.js';

/** A sample older than this is not "now". */
export const CURRENT_SECONDS = 15 * 60;
const TOP = 5;

export interface Consumer {
  unitId: string;
  systemId: string;
  series: string;
  serviceId: string | null;
  title: string | null;
  subjectId: string | null;
  instance: number | null;
  at: string;
  cpu: number;
  ram: number;
}

export interface MonitoringOverview {
  scope: 'organisation-units' | 'own-services';
  /** Null for SP users. */
  units: { total: number; online: number; offline: number } | null;
  /** Reported instance states (active, failed, …) with how many instances are in each. */
  instancesByState: { state: string; count: number }[];
  topRam: Consumer[];
  topCpu: Consumer[];
  /** Units by their node's RAM now (OEM only). */
  topUnitsRam: Consumer[];
}

export async function monitoringOverview(
  deps: Pick<CloudDependencies, 'db' | 'process' | 'now'>,
  actor: Actor,
): Promise<MonitoringOverview> {
  requireRole(actor, ['oem', 'sp'], 'showing the fleet overview');
  const { db } = deps;
  const organisationId = actor.organisationId ?? '';
  const isOem = actor.role === 'oem';
  const ownServices = isOem
    ? null
    : (
        await db
          .select({ id: schema.services.id })
          .from(schema.services)
          .where(eq(schema.services.organisationId, organisationId))
      ).map((row) => row.id);
  // `in ('')` matches nothing: an SP without services sees nothing rather than everything.
  const serviceFilter = ownServices === null || ownServices.length === 0 ? [''] : ownServices;
  const instances = schema.unitInstanceStatuses;
  const instanceScope: SQL | undefined = isOem
    ? eq(schema.units.organisationId, organisationId)
    : inArray(instances.itemId, serviceFilter);
  const latest = schema.monitoringLatest;
  const since = new Date(deps.now().getTime() - CURRENT_SECONDS * 1000);
  const latestScope: SQL | undefined = isOem
    ? eq(schema.units.organisationId, organisationId)
    : inArray(latest.itemId, serviceFilter);
  const consumers = (order: 'ram' | 'cpu', kind: 'instance' | 'node') =>
    db
      .select({
        unitId: latest.unitId,
        systemId: schema.units.systemId,
        series: latest.series,
        serviceId: latest.itemId,
        title: schema.services.title,
        subjectId: latest.subjectId,
        instance: latest.instance,
        at: latest.at,
        cpu: latest.cpu,
        ram: latest.ram,
      })
      .from(latest)
      .innerJoin(schema.units, eq(schema.units.id, latest.unitId))
      .leftJoin(schema.services, sql`${schema.services.id}::text = ${latest.itemId}`)
      .where(
        and(
          latestScope,
          gte(latest.at, since),
          kind === 'instance' ? isNotNull(latest.itemId) : sql`${latest.itemId} is null`,
        ),
      )
      .orderBy(desc(order === 'ram' ? latest.ram : latest.cpu), latest.series)
      .limit(TOP);
  const [units, states, topRam, topCpu, topUnitsRam] = await Promise.all([
    isOem ? countFleetUnits(db, { leaseSeconds: deps.process.leaseSeconds, organisationId }) : Promise.resolve(null),
    db
      .select({ state: instances.state, count: sql<number>`count(*)::int` })
      .from(instances)
      .innerJoin(schema.units, eq(schema.units.id, instances.unitId))
      .where(instanceScope)
      .groupBy(instances.state)
      .orderBy(instances.state),
    consumers('ram', 'instance'),
    consumers('cpu', 'instance'),
    isOem ? consumers('ram', 'node') : Promise.resolve([]),
  ]);
  const view = (rows: Awaited<ReturnType<typeof consumers>>): Consumer[] =>
    rows.map((row) => ({ ...row, at: row.at.toISOString() }));
  return {
    scope: isOem ? 'organisation-units' : 'own-services',
    units: units ? { total: units.total, online: units.online, offline: units.offline } : null,
    instancesByState: states.map((row) => ({ state: row.state, count: Number(row.count) })),
    topRam: view(topRam),
    topCpu: view(topCpu),
    topUnitsRam: view(topUnitsRam),
  };
}
