import { describe, expect, it } from 'vitest';
import { resolveRolloutPins, type RolloutForUnit } from './resolve-pins.js';

const S = 'service-a';
function rollout(overrides: Partial<RolloutForUnit>): RolloutForUnit {
  return {
    rolloutId: 'r1',
    serviceId: S,
    status: 'running',
    version: '2.0.0',
    baselineVersion: '1.0.0',
    createdAt: new Date('2026-12-05T00:00:00Z'),
    member: null,
    currentWave: 0,
    ...overrides,
  };
}
const member = (wave: number, fromVersion: string | null = '1.0.0') => ({
  wave,
  state: 'pending' as const,
  fromVersion,
});

describe('resolveRolloutPins', () => {
  const cases: { name: string; rollouts: RolloutForUnit[]; version: string | null }[] = [
    {
      name: 'a member of a started wave gets the new version',
      rollouts: [rollout({ member: member(0) })],
      version: '2.0.0',
    },
    {
      name: 'a member of a later wave keeps the version it had',
      rollouts: [rollout({ member: member(2, '1.1.0') })],
      version: '1.1.0',
    },
    {
      name: 'paused: the started waves keep the new version',
      rollouts: [rollout({ status: 'paused', currentWave: 1, member: member(1) })],
      version: '2.0.0',
    },
    {
      name: 'aborted: every member goes back to the version it had',
      rollouts: [rollout({ status: 'aborted', currentWave: 2, member: member(0, '1.0.0') })],
      version: '1.0.0',
    },
    {
      name: 'aborted, for a unit that had no version: none',
      rollouts: [rollout({ status: 'aborted', member: member(0, null) })],
      version: null,
    },
    {
      name: 'completed: every member has the new version',
      rollouts: [rollout({ status: 'completed', member: member(3) })],
      version: '2.0.0',
    },
    {
      name: 'a late joiner during the rollout gets the baseline, not the new version',
      rollouts: [rollout({ currentWave: 2 })],
      version: '1.0.0',
    },
    {
      name: 'a late joiner after completion gets the new version',
      rollouts: [rollout({ status: 'completed' })],
      version: '2.0.0',
    },
    {
      name: 'a superseded rollout leaves the unit to the newer one',
      rollouts: [
        rollout({ rolloutId: 'r1', status: 'superseded', member: member(0) }),
        rollout({
          rolloutId: 'r2',
          version: '3.0.0',
          createdAt: new Date('2026-12-05T01:00:00Z'),
          member: member(1, '2.0.0'),
        }),
      ],
      version: '2.0.0',
    },
    {
      name: 'two rollouts of the same service on two subjects: the one the unit is a member of decides',
      rollouts: [
        rollout({ rolloutId: 'r1', member: member(0) }),
        rollout({ rolloutId: 'r2', version: '2.1.0', createdAt: new Date('2026-12-05T01:00:00Z') }),
      ],
      version: '2.0.0',
    },
  ];
  it.each(cases)('$name', ({ rollouts, version }) => {
    expect(resolveRolloutPins(rollouts)).toEqual([expect.objectContaining({ serviceId: S, version })]);
  });
});
