import { and, eq } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';

/**
 * The state limit (bytes) of the version of `serviceId` a unit runs: the version its instance
 * last reported, else the service's newest ready or approved version. Undefined when the cloud
 * knows no version (or it has no `stateLimit`: then the service has no state).
 */
export async function findStateVersion(
  db: Database,
  unitId: string,
  serviceId: string,
): Promise<{ versionId: string; version: string; stateLimit: number | undefined } | undefined> {
  const [reported] = await db
    .select({ version: schema.unitInstanceStatuses.version })
    .from(schema.unitInstanceStatuses)
    .where(and(eq(schema.unitInstanceStatuses.unitId, unitId), eq(schema.unitInstanceStatuses.itemId, serviceId)))
    .limit(1);
  const versions = await db
    .select({
      id: schema.serviceVersions.id,
      version: schema.serviceVersions.version,
      state: schema.serviceVersions.state,
      summary: schema.serviceVersions.configSummary,
      createdAt: schema.serviceVersions.createdAt,
    })
    .from(schema.serviceVersions)
    .where(eq(schema.serviceVersions.serviceId, serviceId));
  const usable = versions
    .filter((row) => row.state === 'ready' || row.state === 'approved')
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const chosen = (reported && usable.find((row) => row.version === reported.version)) ?? usable[0];
  if (!chosen) return undefined;
  const limit = chosen.summary?.quotas?.stateLimit;
  return { versionId: chosen.id, version: chosen.version, stateLimit: typeof limit === 'number' ? limit : undefined };
}

/** Why a state cannot be kept, or undefined when it can. */
export function refuseStateSize(size: number, stateLimit: number | undefined, version: string): string | undefined {
  if (stateLimit === undefined || stateLimit <= 0)
    return `version ${version} of the service has no state (its config sets no quotas.state)`;
  if (size > stateLimit)
    return `the state is ${size} bytes, over the service's state limit of ${stateLimit} bytes (version ${version})`;
  return undefined;
}
