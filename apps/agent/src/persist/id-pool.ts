import { AgentError } from '../errors.js';

export const ID_POOL_FIRST = 5000;
export const ID_POOL_LAST = 10000;

/**
 * Take the lowest free id of the 5000–10000 pool for `key`, or the one it already has.
 * UIDs are keyed per instance, GIDs per service (reference §4.3); both come from one range
 * but separate maps, as the Go CM does. Returns a new map; the caller persists it.
 */
export function allocateId(
  pool: Readonly<Record<string, number>>,
  key: string,
): { id: number; pool: Record<string, number> } {
  const existing = pool[key];
  if (existing !== undefined) return { id: existing, pool: { ...pool } };
  const used = new Set(Object.values(pool));
  for (let id = ID_POOL_FIRST; id <= ID_POOL_LAST; id += 1) {
    if (!used.has(id)) return { id, pool: { ...pool, [key]: id } };
  }
  throw new AgentError(
    'pool-exhausted',
    `allocating an id for ${key}: all ids ${ID_POOL_FIRST}–${ID_POOL_LAST} are taken; remove unused instances`,
  );
}

export function releaseId(pool: Readonly<Record<string, number>>, key: string): Record<string, number> {
  const { [key]: _released, ...rest } = pool;
  return rest;
}
