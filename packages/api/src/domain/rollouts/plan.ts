import { z } from 'zod';
import type { StoredRolloutPlan } from '@openaos/db';

export type RolloutPlan = StoredRolloutPlan;
export type WaveSize = RolloutPlan['waves'][number];

/** The plan of a rollout started by an approval, or by `aos rollout start` without options. */
export const DEFAULT_ROLLOUT_PLAN: RolloutPlan = {
  waves: [{ percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
  soakSeconds: 300,
  minHealthyUnits: 1,
  failureThresholdPercent: 10,
  failureMinUnits: 1,
  onFailure: 'pause',
  offlineTimeoutSeconds: 3600,
  activeTimeoutSeconds: 1800,
};

const whole = (what: string) => z.number().int(`${what} must be a whole number`);

const waveSchema = z.union([
  z
    .object({
      percent: z.number().gt(0, 'a wave percentage must be over 0').max(100, 'a wave percentage must be at most 100'),
    })
    .strict(),
  z.object({ count: whole('a wave count').min(1, 'a wave count must be at least 1') }).strict(),
]);

/** A plan as a caller may give it: every field optional, defaults from {@link DEFAULT_ROLLOUT_PLAN}. */
export const rolloutPlanInput = z
  .object({
    waves: z
      .array(waveSchema)
      .min(1, 'give at least one wave')
      .max(20, 'give at most 20 waves')
      .refine(isIncreasing, 'waves are cumulative: each must reach more units than the one before (1%, 10%, 100%)')
      .optional(),
    soakSeconds: whole('soakSeconds')
      .min(0)
      .max(7 * 24 * 3600, 'soakSeconds must be at most 7 days')
      .optional(),
    minHealthyUnits: whole('minHealthyUnits').min(0).max(100_000).optional(),
    failureThresholdPercent: z.number().min(0).max(100, 'failureThresholdPercent must be at most 100').optional(),
    failureMinUnits: whole('failureMinUnits').min(1, 'failureMinUnits must be at least 1').max(100_000).optional(),
    onFailure: z.enum(['pause', 'abort'], { message: 'onFailure must be pause or abort' }).optional(),
    offlineTimeoutSeconds: whole('offlineTimeoutSeconds')
      .min(0)
      .max(30 * 24 * 3600, 'offlineTimeoutSeconds must be at most 30 days')
      .optional(),
    activeTimeoutSeconds: whole('activeTimeoutSeconds')
      .min(1, 'activeTimeoutSeconds must be at least 1')
      .max(7 * 24 * 3600, 'activeTimeoutSeconds must be at most 7 days')
      .optional(),
  })
  .strict();

export type RolloutPlanInput = z.infer<typeof rolloutPlanInput>;

/** The full plan: the caller's fields over the defaults. */
export function completePlan(input: RolloutPlanInput | undefined): RolloutPlan {
  const plan = { ...DEFAULT_ROLLOUT_PLAN };
  for (const [key, value] of Object.entries(input ?? {})) {
    if (value !== undefined) (plan as Record<string, unknown>)[key] = value;
  }
  return plan;
}

function isIncreasing(waves: WaveSize[]): boolean {
  for (const [index, after] of waves.entries()) {
    const before = waves[index - 1];
    if (!before) continue;
    if ('percent' in before && 'percent' in after && after.percent <= before.percent) return false;
    if ('count' in before && 'count' in after && after.count <= before.count) return false;
  }
  return true;
}

/** "1% → 10% → 50% → 100%". */
export function describeWaves(waves: WaveSize[]): string {
  return waves.map((wave) => ('percent' in wave ? `${wave.percent}%` : `${wave.count} units`)).join(' → ');
}
