import { describe, expect, it } from 'vitest';
import { assignWaves } from './assign-waves.js';

const unitIds = (count: number) =>
  Array.from({ length: count }, (_, index) => `unit-${String(index).padStart(4, '0')}`);
const sizes = (assignments: { wave: number }[]) =>
  assignments.reduce<number[]>((counts, { wave }) => {
    counts[wave] = (counts[wave] ?? 0) + 1;
    return counts;
  }, []);

describe('assignWaves', () => {
  const cases: { name: string; units: number; waves: ({ percent: number } | { count: number })[]; sizes: number[] }[] =
    [
      {
        name: '200 units at 1 %, 10 %, 50 %, 100 %',
        units: 200,
        waves: [{ percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
        sizes: [2, 18, 80, 100],
      },
      { name: 'one unit: one wave', units: 1, waves: [{ percent: 1 }, { percent: 10 }, { percent: 100 }], sizes: [1] },
      {
        name: 'small fleets: each wave adds at least one unit',
        units: 3,
        waves: [{ percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
        sizes: [1, 1, 1],
      },
      {
        name: 'counts are cumulative',
        units: 10,
        waves: [{ count: 1 }, { count: 4 }, { count: 10 }],
        sizes: [1, 3, 6],
      },
      {
        name: 'a plan that stops short still reaches every unit',
        units: 10,
        waves: [{ percent: 20 }, { percent: 50 }],
        sizes: [2, 3, 5],
      },
      {
        name: 'counts over the fleet size stop at it',
        units: 4,
        waves: [{ count: 2 }, { count: 50 }, { count: 100 }],
        sizes: [2, 2],
      },
      { name: 'no units: no waves', units: 0, waves: [{ percent: 100 }], sizes: [] },
    ];
  it.each(cases)('$name', ({ units, waves, sizes: expected }) => {
    const assignments = assignWaves('rollout-1', unitIds(units), waves);
    expect(sizes(assignments)).toEqual(expected);
    expect(new Set(assignments.map((assignment) => assignment.unitId)).size).toBe(units);
  });

  it('is deterministic for a rollout, whatever the order of the units, and differs between rollouts', () => {
    const waves = [{ percent: 10 }, { percent: 100 }];
    const first = assignWaves('rollout-1', unitIds(50), waves);
    const again = assignWaves('rollout-1', unitIds(50).reverse(), waves);
    const wave0 = (list: typeof first) =>
      list
        .filter((unit) => unit.wave === 0)
        .map((unit) => unit.unitId)
        .sort();
    expect(wave0(again)).toEqual(wave0(first));
    expect(wave0(assignWaves('rollout-2', unitIds(50), waves))).not.toEqual(wave0(first));
  });
});
