import { sql, type SQL } from 'drizzle-orm';
import { schema } from '@openaos/db';

/**
 * Whether a unit is online, as SQL over `units`: its row says `online` AND the cloud process
 * holding its socket (`connected_process`) renewed its heartbeat within the lease (database
 * clock). A unit whose process died, or that never connected, is offline since `last_seen_at`:
 * never shown healthy on a stale row.
 */
export function isOnlineSql(leaseSeconds: number): SQL<boolean> {
  return sql<boolean>`(${schema.units.connection} = 'online' and exists (select 1 from ${schema.cloudProcesses} where ${schema.cloudProcesses.id} = ${schema.units.connectedProcess} and ${schema.cloudProcesses.heartbeatAt} >= now() - make_interval(secs => ${leaseSeconds})))`;
}

export type Connection = 'online' | 'offline';

export function toConnection(online: boolean | null | undefined): Connection {
  return online ? 'online' : 'offline';
}
