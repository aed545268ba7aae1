import { sql, type SQL } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { isOnlineSql } from './connection.js';

/** On how many units a service (or one version of it) is desired, installed, active, failed. */
export interface UnitCounts {
  /** In the unit's current desired status. */
  desired: number;
  /** Reported installed. */
  installed: number;
  /** With an instance reported active, on units online now (an offline unit is never counted healthy). */
  active: number;
  /** With the item or an instance reported failed. */
  failed: number;
  /** Desired on units that are offline now. */
  offline: number;
}

export interface UnitCountRow extends UnitCounts {
  serviceId: string;
  /** Null when counted per service over all versions. */
  version: string | null;
}

export interface CountScope {
  leaseSeconds: number;
  /** Only this organisation's units; null: all units. */
  organisationId: string | null;
  /** Only these services; null: every service on the units in scope. */
  serviceIds: string[] | null;
  byVersion: boolean;
}

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/**
 * Distinct units per service (and version), counted in SQL from the desired statuses the cloud
 * issued and the item/instance statuses the units reported.
 */
export async function countUnits(db: Database, scope: CountScope): Promise<UnitCountRow[]> {
  if (scope.serviceIds?.length === 0) return [];
  const unitFilter: SQL = scope.organisationId
    ? sql`${schema.units.organisationId} = ${scope.organisationId}`
    : sql`true`;
  const serviceFilter: SQL = scope.serviceIds
    ? sql`k.item_id in (${sql.join(
        scope.serviceIds.map((id) => sql`${id}`),
        sql`, `,
      )})`
    : sql`true`;
  const version = scope.byVersion ? sql`version` : sql`null::text`;
  const same = (alias: string) =>
    scope.byVersion
      ? sql.raw(`${alias}.item_id = k.item_id and ${alias}.version = k.version`)
      : sql.raw(`${alias}.item_id = k.item_id`);
  const result = await db.execute(sql`
    with scoped as (
      select ${schema.units.id} as id, ${isOnlineSql(scope.leaseSeconds)} as online
      from ${schema.units} where ${unitFilter}
    ),
    desired as (
      select d.unit_id, e.value->'item'->>'id' as item_id, e.value->>'version' as version, s.online
      from unit_desired_statuses d
      join scoped s on s.id = d.unit_id
      cross join lateral jsonb_array_elements(
        case when jsonb_typeof(d.document->'items') = 'array' then d.document->'items' else '[]'::jsonb end
      ) e
    ),
    items as (
      select i.unit_id, i.item_id, i.version, i.state from unit_item_statuses i join scoped s on s.id = i.unit_id
    ),
    instances as (
      select n.unit_id, n.item_id, n.version, n.state, s.online
      from unit_instance_statuses n join scoped s on s.id = n.unit_id
    ),
    keys as (
      select distinct item_id, ${version} as version from (
        select item_id, version from desired
        union select item_id, version from items
        union select item_id, version from instances
      ) all_keys where item_id is not null and version is not null
    )
    select k.item_id as "serviceId", k.version as "version",
      (select count(distinct d.unit_id) from desired d where ${same('d')})::int as "desired",
      (select count(distinct i.unit_id) from items i where ${same('i')} and i.state = 'installed')::int as "installed",
      (select count(distinct n.unit_id) from instances n where ${same('n')} and n.state = 'active' and n.online)::int as "active",
      (select count(distinct f.unit_id) from (
        select i.unit_id from items i where ${same('i')} and i.state = 'failed'
        union select n.unit_id from instances n where ${same('n')} and n.state = 'failed'
      ) f)::int as "failed",
      (select count(distinct d.unit_id) from desired d where ${same('d')} and not d.online)::int as "offline"
    from keys k where ${serviceFilter}
    order by k.item_id, k.version
  `);
  return rowsOf<UnitCountRow>(result);
}

/** How many units there are in scope and in which condition. */
export interface FleetUnitCounts {
  total: number;
  online: number;
  offline: number;
  provisioned: number;
  revoked: number;
  /** Units with an item or instance reported failed. */
  failing: number;
}

export async function countFleetUnits(
  db: Database,
  scope: { leaseSeconds: number; organisationId: string },
): Promise<FleetUnitCounts> {
  const result = await db.execute(sql`
    with scoped as (
      select ${schema.units.id} as id, ${schema.units.state} as state, ${schema.units.revokedAt} as revoked_at,
        ${isOnlineSql(scope.leaseSeconds)} as online
      from ${schema.units} where ${schema.units.organisationId} = ${scope.organisationId}
    )
    select count(*)::int as "total",
      count(*) filter (where online)::int as "online",
      count(*) filter (where not online)::int as "offline",
      count(*) filter (where state = 'provisioned')::int as "provisioned",
      count(*) filter (where revoked_at is not null)::int as "revoked",
      count(*) filter (where exists (select 1 from unit_item_statuses i where i.unit_id = scoped.id and i.state = 'failed')
        or exists (select 1 from unit_instance_statuses n where n.unit_id = scoped.id and n.state = 'failed'))::int as "failing"
    from scoped
  `);
  const [row] = rowsOf<FleetUnitCounts>(result);
  return row ?? { total: 0, online: 0, offline: 0, provisioned: 0, revoked: 0, failing: 0 };
}
