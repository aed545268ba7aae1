import { createHash } from 'node:crypto';
import type { WaveSize } from './plan.js';

export interface WaveAssignment {
  unitId: string;
  wave: number;
}

/**
 * Which unit goes in which wave, decided once when a rollout starts (and recorded): the units in
 * the order of SHA-256(rolloutId:unitId) — deterministic, yet not the same units first in every
 * rollout — cut at the plan's cumulative sizes. A wave `{ percent }` reaches ⌈percent·N/100⌉ units
 * in all, `{ count }` that many; each wave adds at least one unit, the last reaches all N, and waves
 * that would add none are dropped (so wave numbers are dense).
 */
export function assignWaves(
  rolloutId: string,
  unitIds: readonly string[],
  waves: readonly WaveSize[],
): WaveAssignment[] {
  const total = unitIds.length;
  if (total === 0) return [];
  const ordered = [...new Set(unitIds)]
    .map((unitId) => ({ unitId, key: createHash('sha256').update(`${rolloutId}:${unitId}`).digest('hex') }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const cuts: number[] = [];
  let reached = 0;
  for (const wave of waves) {
    const wanted = 'percent' in wave ? Math.ceil((wave.percent * ordered.length) / 100 - 1e-9) : wave.count;
    const cut = Math.min(ordered.length, Math.max(reached + 1, wanted));
    if (cut > reached) cuts.push(cut);
    reached = Math.max(reached, cut);
    if (reached === ordered.length) break;
  }
  if (reached < ordered.length) cuts.push(ordered.length);
  const assignments: WaveAssignment[] = [];
  let start = 0;
  cuts.forEach((cut, wave) => {
    for (const { unitId } of ordered.slice(start, cut)) assignments.push({ unitId, wave });
    start = cut;
  });
  return assignments;
}
