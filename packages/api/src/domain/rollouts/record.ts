import { schema, type Database } from '@openaos/db';
import type { RolloutUnitState } from './decide.js';

/** Record one decision of a rollout with its reason and the unit counts it was taken on. */
export async function recordRolloutEvent(
  db: Database,
  event: {
    rolloutId: string;
    at: Date;
    kind: 'started' | 'wave-started' | 'paused' | 'resumed' | 'aborted' | 'completed' | 'superseded';
    wave?: number | null;
    reason: string;
    counts?: Partial<Record<RolloutUnitState, number>>;
    userId?: string | null;
  },
): Promise<void> {
  await db.insert(schema.rolloutEvents).values({
    rolloutId: event.rolloutId,
    at: event.at,
    kind: event.kind,
    wave: event.wave ?? null,
    reason: event.reason,
    counts: event.counts ?? {},
    userId: event.userId ?? null,
  });
}
