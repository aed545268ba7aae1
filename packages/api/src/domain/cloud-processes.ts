import { hostname } from 'node:os';
import { eq, sql } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import { onlyRow } from './util.js';

/**
 * How long a cloud process counts as alive after its last heartbeat, by default. It renews the
 * heartbeat three times per lease, so only a process that stopped (killed, crashed, cut off from
 * the database) misses it.
 */
export const DEFAULT_PROCESS_LEASE_SECONDS = 30;

/** Register this process; its id marks the versions it builds and names its temp directory. */
export async function registerCloudProcess(db: Database): Promise<string> {
  const rows = await db
    .insert(schema.cloudProcesses)
    .values({ hostname: hostname(), pid: process.pid })
    .returning({ id: schema.cloudProcesses.id });
  return onlyRow(rows, 'registering this cloud process').id;
}

/**
 * Renew this process's heartbeat (database clock, so processes with different clocks agree).
 * If a peer had already declared it dead and removed its row, it is registered again under the
 * same id: the versions it was building were failed by then, and its builds notice at their end.
 */
export async function renewHeartbeat(db: Database, processId: string): Promise<void> {
  const renewed = await db
    .update(schema.cloudProcesses)
    .set({ heartbeatAt: sql`now()` })
    .where(eq(schema.cloudProcesses.id, processId))
    .returning({ id: schema.cloudProcesses.id });
  if (renewed.length === 0) {
    await db
      .insert(schema.cloudProcesses)
      .values({ id: processId, hostname: hostname(), pid: process.pid })
      .onConflictDoNothing();
  }
}

/**
 * Which registered processes are alive and which are dead. A process is dead when its heartbeat
 * is older than the lease or — when this process is the only one that can use the database
 * (embedded PGlite) — whenever it is not this process.
 */
export async function classifyProcesses(
  db: Database,
  options: { selfId: string; leaseSeconds: number; isSoleProcess: boolean },
): Promise<{ live: Set<string>; dead: string[] }> {
  const rows = await db
    .select({
      id: schema.cloudProcesses.id,
      isStale: sql<boolean>`${schema.cloudProcesses.heartbeatAt} < now() - make_interval(secs => ${options.leaseSeconds})`,
    })
    .from(schema.cloudProcesses);
  const live = new Set<string>([options.selfId]);
  const dead: string[] = [];
  for (const row of rows) {
    if (row.id === options.selfId) continue;
    if (options.isSoleProcess || row.isStale) dead.push(row.id);
    else live.add(row.id);
  }
  return { live, dead };
}

/** Forget a process (after its work was cleaned up, or at a clean shutdown). */
export async function removeCloudProcess(db: Database, processId: string): Promise<void> {
  await db.delete(schema.cloudProcesses).where(eq(schema.cloudProcesses.id, processId));
}
