import { eq, inArray } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { Actor } from '../../actor.js';
import { compareSemver, isSemver } from '../semver.js';
import { findVisible } from '../service-access.js';
import type { UnitReadDependencies } from '../units.js';
import { countFleetUnits, countUnits, type FleetUnitCounts, type UnitCounts } from './count-units.js';

export interface ServiceCountsView extends UnitCounts {
  serviceId: string;
  title: string | null;
}

export interface FleetOverview {
  /** Whose units are counted: an OEM user's organisation's; SP users see their services on all units. */
  scope: 'organisation-units' | 'own-services' | 'all-units';
  /** Null for SP users (units are the OEM's). */
  units: FleetUnitCounts | null;
  services: ServiceCountsView[];
}

export interface VersionCountsView extends UnitCounts {
  version: string;
  /** The version's state in the cloud, or null for a version units report that the cloud no longer has. */
  state: string | null;
}

export interface ServiceStatusView {
  serviceId: string;
  title: string;
  scope: FleetOverview['scope'];
  versions: VersionCountsView[];
}

/**
 * Who sees which counts: an OEM user the units of their organisation; an SP user their own
 * services on every unit (numbers only, never which units); an admin everything.
 */
function scopeOf(actor: Actor): { scope: FleetOverview['scope']; organisationId: string | null } {
  if (actor.role === 'oem' && actor.organisationId)
    return { scope: 'organisation-units', organisationId: actor.organisationId };
  if (actor.role === 'sp') return { scope: 'own-services', organisationId: null };
  return { scope: 'all-units', organisationId: null };
}

/** The fleet at a glance: unit counts (OEM) and, per service, on how many units it is desired/installed/active/failed. */
export async function fleetOverview(deps: UnitReadDependencies, actor: Actor): Promise<FleetOverview> {
  const { scope, organisationId } = scopeOf(actor);
  let serviceIds: string[] | null = null;
  if (scope === 'own-services') {
    const own = actor.organisationId
      ? await deps.db
          .select({ id: schema.services.id })
          .from(schema.services)
          .where(eq(schema.services.organisationId, actor.organisationId))
      : [];
    serviceIds = own.map((row) => row.id);
  }
  const leaseSeconds = deps.process.leaseSeconds;
  const [units, rows] = await Promise.all([
    organisationId ? countFleetUnits(deps.db, { leaseSeconds, organisationId }) : Promise.resolve(null),
    countUnits(deps.db, { leaseSeconds, organisationId, serviceIds, byVersion: false }),
  ]);
  const titles = await serviceTitles(
    deps,
    rows.map((row) => row.serviceId),
  );
  return {
    scope,
    units,
    services: rows
      .map(({ version: _version, ...counts }) => ({ ...counts, title: titles.get(counts.serviceId) ?? null }))
      .sort((a, b) => (a.title ?? a.serviceId).localeCompare(b.title ?? b.serviceId)),
  };
}

/** Per version of one visible service: on how many units (in the caller's scope) it is desired/installed/active/failed. */
export async function serviceStatus(
  deps: UnitReadDependencies,
  actor: Actor,
  input: { serviceId: string },
): Promise<ServiceStatusView> {
  const { service } = await findVisible(deps.db, actor, input.serviceId);
  const { scope, organisationId } = scopeOf(actor);
  const [rows, versions] = await Promise.all([
    countUnits(deps.db, {
      leaseSeconds: deps.process.leaseSeconds,
      organisationId,
      serviceIds: [service.id],
      byVersion: true,
    }),
    deps.db
      .select({ version: schema.serviceVersions.version, state: schema.serviceVersions.state })
      .from(schema.serviceVersions)
      .where(eq(schema.serviceVersions.serviceId, service.id)),
  ]);
  const byVersion = new Map<string, VersionCountsView>();
  for (const version of versions) {
    byVersion.set(version.version, {
      version: version.version,
      state: version.state,
      desired: 0,
      installed: 0,
      active: 0,
      failed: 0,
      offline: 0,
    });
  }
  for (const row of rows) {
    if (row.version === null) continue;
    const known = byVersion.get(row.version);
    byVersion.set(row.version, {
      version: row.version,
      state: known?.state ?? null,
      desired: row.desired,
      installed: row.installed,
      active: row.active,
      failed: row.failed,
      offline: row.offline,
    });
  }
  return {
    serviceId: service.id,
    title: service.title,
    scope,
    versions: [...byVersion.values()].sort((a, b) => compareVersions(b.version, a.version)),
  };
}

/** SemVer precedence; a version that is not SemVer (as a unit may report) sorts below, by text. */
function compareVersions(a: string, b: string): number {
  if (isSemver(a) && isSemver(b)) return compareSemver(a, b);
  if (isSemver(a) !== isSemver(b)) return isSemver(a) ? 1 : -1;
  return a.localeCompare(b);
}

async function serviceTitles(deps: UnitReadDependencies, ids: string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (wanted.length === 0) return new Map();
  const rows = await deps.db
    .select({ id: schema.services.id, title: schema.services.title })
    .from(schema.services)
    .where(inArray(schema.services.id, wanted));
  return new Map(rows.map((row) => [row.id, row.title]));
}
