import { and, eq, inArray } from 'drizzle-orm';
import { schema, type Database } from '@openaos/db';
import type { RolloutStatus, RolloutUnitState } from './decide.js';
import { resolveRolloutPins, type RolloutPin } from './resolve-pins.js';

/**
 * The rollout facts a unit's desired status needs: the pins of the rollouts of its services on its
 * subjects (resolveRolloutPins), and the versions of those services held by an unfinished rollout.
 */
export async function loadRolloutFacts(
  db: Database,
  unitId: string,
  subjectIds: string[],
  serviceIds: string[],
): Promise<{ pins: RolloutPin[]; heldVersionIds: string[] }> {
  if (serviceIds.length === 0) return { pins: [], heldVersionIds: [] };
  const held = await db
    .selectDistinct({ versionId: schema.rollouts.versionId })
    .from(schema.rollouts)
    .where(
      and(
        inArray(schema.rollouts.serviceId, serviceIds),
        inArray(schema.rollouts.status, ['running', 'paused', 'aborted']),
      ),
    );
  if (subjectIds.length === 0) return { pins: [], heldVersionIds: held.map((row) => row.versionId) };
  const rows = await db
    .select({
      rolloutId: schema.rollouts.id,
      serviceId: schema.rollouts.serviceId,
      status: schema.rollouts.status,
      version: schema.rollouts.version,
      baselineVersion: schema.rollouts.baselineVersion,
      createdAt: schema.rollouts.createdAt,
      currentWave: schema.rollouts.currentWave,
      wave: schema.rolloutUnits.wave,
      state: schema.rolloutUnits.state,
      fromVersion: schema.rolloutUnits.fromVersion,
    })
    .from(schema.rollouts)
    .leftJoin(
      schema.rolloutUnits,
      and(eq(schema.rolloutUnits.rolloutId, schema.rollouts.id), eq(schema.rolloutUnits.unitId, unitId)),
    )
    .where(and(inArray(schema.rollouts.serviceId, serviceIds), inArray(schema.rollouts.subjectId, subjectIds)));
  const pins = resolveRolloutPins(
    rows.map((row) => ({
      rolloutId: row.rolloutId,
      serviceId: row.serviceId,
      status: row.status as RolloutStatus,
      version: row.version,
      baselineVersion: row.baselineVersion,
      createdAt: row.createdAt,
      currentWave: row.currentWave,
      member:
        row.wave === null
          ? null
          : { wave: row.wave, state: row.state as RolloutUnitState, fromVersion: row.fromVersion },
    })),
  );
  return { pins, heldVersionIds: held.map((row) => row.versionId) };
}
