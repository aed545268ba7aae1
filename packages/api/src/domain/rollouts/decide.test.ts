import { describe, expect, it } from 'vitest';
import { decideRollout, type RecordedRolloutUnit, type RolloutSnapshot, type UnitObservation } from './decide.js';
import { judgeVersionHealth } from './judge-health.js';
import { DEFAULT_ROLLOUT_PLAN, type RolloutPlan } from './plan.js';

const T0 = new Date('2026-12-05T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const plan: RolloutPlan = {
  ...DEFAULT_ROLLOUT_PLAN,
  soakSeconds: 60,
  minHealthyUnits: 1,
  failureThresholdPercent: 20,
  failureMinUnits: 3,
  onFailure: 'abort',
  offlineTimeoutSeconds: 600,
};

function rollout(overrides: Partial<RolloutSnapshot> = {}): RolloutSnapshot {
  return {
    status: 'running',
    plan,
    currentWave: 0,
    waveStartedAt: T0,
    waveCount: 3,
    acceptedFailures: 0,
    ...overrides,
  };
}
/** Units `u<wave>-<n>`: `counts[w]` units in wave w, in the given state since T0. */
function units(
  counts: number[],
  state: RecordedRolloutUnit['state'] = 'updating',
  currentWave = 0,
): RecordedRolloutUnit[] {
  return counts.flatMap((count, wave) =>
    Array.from({ length: count }, (_, index) => ({
      unitId: `u${wave}-${index}`,
      wave,
      state: wave <= currentWave ? state : 'pending',
      since: T0,
      reason: null,
    })),
  );
}
const active: UnitObservation = { isOnline: true, version: { health: 'active' } };
const updating: UnitObservation = { isOnline: true, version: { health: 'updating' } };
const offline: UnitObservation = { isOnline: false, version: { health: 'updating' } };
const failed: UnitObservation = {
  isOnline: true,
  version: { health: 'failed', reason: 'rolled back to 1.0.0: exited' },
};
/** Observations by unit id prefix: the first matching entry wins. */
function observe(list: RecordedRolloutUnit[], rules: [RegExp, UnitObservation][]): Map<string, UnitObservation> {
  return new Map(
    list.map((unit) => [unit.unitId, rules.find(([pattern]) => pattern.test(unit.unitId))?.[1] ?? updating]),
  );
}

describe('decideRollout', () => {
  const cases: {
    name: string;
    rollout: RolloutSnapshot;
    units: RecordedRolloutUnit[];
    rules: [RegExp, UnitObservation][];
    now: Date;
    action: string;
    reason?: RegExp;
    counts?: Partial<Record<string, number>>;
  }[] = [
    {
      name: 'a wave still updating waits',
      rollout: rollout(),
      units: units([2, 5, 10]),
      rules: [[/^u0-0/, active]],
      now: at(10),
      action: 'wait',
      reason: /1 updating/,
      counts: { active: 1, updating: 1, pending: 15 },
    },
    {
      name: 'a wave all active waits for its soak time',
      rollout: rollout(),
      units: units([2, 5, 10]),
      rules: [[/^u0/, active]],
      now: at(10),
      action: 'wait',
      reason: /soaking 60 s/,
    },
    {
      name: 'a wave active for the soak time starts the next wave',
      rollout: rollout(),
      units: units([2, 5, 10], 'active'),
      rules: [[/^u0/, active]],
      now: at(61),
      action: 'start-wave',
      reason: /wave 1 of 3 healthy: 2 of 2 units active/,
    },
    {
      name: 'the last wave healthy completes the rollout',
      rollout: rollout({ currentWave: 2 }),
      units: units([2, 5, 10], 'active', 2),
      rules: [[/./, active]],
      now: at(61),
      action: 'complete',
    },
    {
      name: 'fewer active units than the plan asks for waits',
      rollout: rollout({ plan: { ...plan, minHealthyUnits: 2, failureMinUnits: 5 } }),
      units: units([2, 5, 10], 'active'),
      rules: [
        [/^u0-0/, active],
        [/^u0-1/, failed],
      ],
      now: at(61),
      action: 'wait',
      reason: /1 of the 2 active units/,
    },
    {
      name: 'a failure under the minimum number of units does not stop it (a wave of 2, one failed)',
      rollout: rollout(),
      units: units([2, 5, 10], 'active'),
      rules: [
        [/^u0-0/, active],
        [/^u0-1/, failed],
      ],
      now: at(61),
      action: 'start-wave',
      reason: /1 failed in all/,
    },
    {
      name: 'failures at the threshold once enough units finished abort (with revert)',
      rollout: rollout({ currentWave: 1 }),
      units: units([2, 5, 10], 'active', 1),
      rules: [
        [/^u1-[01]/, failed],
        [/./, active],
      ],
      now: at(20),
      action: 'abort',
      reason: /2 of 7 finished units failed \(28\.6 %\).*reverting/,
    },
    {
      name: 'with onFailure pause the same failures pause it',
      rollout: rollout({ currentWave: 1, plan: { ...plan, onFailure: 'pause' } }),
      units: units([2, 5, 10], 'active', 1),
      rules: [
        [/^u1-[01]/, failed],
        [/./, active],
      ],
      now: at(20),
      action: 'pause',
    },
    {
      name: 'the threshold reached in the last wave stops it instead of completing',
      rollout: rollout({ currentWave: 2 }),
      units: units([2, 5, 10], 'active', 2),
      rules: [
        [/^u2-[0-3]/, failed],
        [/./, active],
      ],
      now: at(100),
      action: 'abort',
      reason: /wave 3 of 3: 4 of 17/,
    },
    {
      name: 'all units offline at the wave start are pending, not failed',
      rollout: rollout(),
      units: units([3, 5, 10]),
      rules: [[/./, offline]],
      now: at(599),
      action: 'wait',
      reason: /3 offline \(pending\)/,
      counts: { offline: 3, failed: 0 },
    },
    {
      name: 'all units offline past the plan timeout fail, and the rollout stops',
      rollout: rollout(),
      units: units([3, 5, 10], 'offline'),
      rules: [[/./, offline]],
      now: at(600),
      action: 'abort',
      reason: /every updated unit failed \(3 of 3\)/,
      counts: { failed: 3 },
    },
    {
      name: 'a unit online but never active (a crash loop the agent keeps restarting) fails after the active timeout',
      rollout: rollout({ plan: { ...plan, activeTimeoutSeconds: 120 } }),
      units: units([1, 5, 10]),
      rules: [[/./, updating]],
      now: at(120),
      action: 'abort',
      reason: /every updated unit failed/,
      counts: { failed: 1 },
    },
    {
      name: 'before the active timeout a slow unit is only updating',
      rollout: rollout({ plan: { ...plan, activeTimeoutSeconds: 120 } }),
      units: units([1, 5, 10]),
      rules: [[/./, updating]],
      now: at(119),
      action: 'wait',
      counts: { updating: 1, failed: 0 },
    },
    {
      name: 'a unit that reported failed and then active counts as active, soaking from then',
      rollout: rollout(),
      units: units([2, 5, 10], 'failed'),
      rules: [[/./, active]],
      now: at(100),
      action: 'wait',
      reason: /2 active, soaking/,
      counts: { active: 2, failed: 0 },
    },
    {
      name: 'a paused rollout records unit states but never starts a wave',
      rollout: rollout({ status: 'paused' }),
      units: units([2, 5, 10], 'active'),
      rules: [[/./, active]],
      now: at(1000),
      action: 'wait',
      reason: /paused/,
    },
    {
      name: 'failures accepted at resume no longer count; new ones do',
      rollout: rollout({ currentWave: 1, acceptedFailures: 2 }),
      units: units([2, 5, 10], 'active', 1),
      rules: [
        [/^u1-[01]/, failed],
        [/./, active],
      ],
      now: at(61),
      action: 'start-wave',
    },
    {
      name: 'a rollout with no units (only verification units on the subject) completes',
      rollout: rollout({ waveCount: 0 }),
      units: [],
      rules: [],
      now: at(0),
      action: 'complete',
    },
    {
      name: 'units of waves not started are not judged whatever they report',
      rollout: rollout(),
      units: units([1, 5, 10], 'active'),
      rules: [
        [/^u0/, active],
        [/^u1/, failed],
      ],
      now: at(61),
      action: 'start-wave',
      counts: { pending: 15, failed: 0 },
    },
  ];

  it.each(cases)('$name', ({ rollout: snapshot, units: list, rules, now, action, reason, counts }) => {
    const decision = decideRollout(snapshot, list, observe(list, rules), now);
    expect(decision.action.kind).toBe(action);
    if (reason) expect(decision.action.reason).toMatch(reason);
    if (counts) expect(decision.counts).toMatchObject(counts);
  });

  it('keeps the soak start of a unit that stays active, and restarts it when the unit changes state', () => {
    const list = units([1, 1], 'active');
    const kept = decideRollout(rollout(), list, observe(list, [[/./, active]]), at(30));
    expect(kept.changed).toEqual([]);
    const flapped = decideRollout(rollout(), list, observe(list, [[/./, updating]]), at(30));
    expect(flapped.changed).toEqual([expect.objectContaining({ unitId: 'u0-0', state: 'updating', since: at(30) })]);
  });

  it('two rollouts of the same service decide each on its own units only', () => {
    // Rollout A has u-shared as a member; rollout B (another subject) was started after and left it out.
    const a = [{ unitId: 'shared', wave: 0, state: 'active' as const, since: T0, reason: null }];
    const b = [{ unitId: 'other', wave: 0, state: 'active' as const, since: T0, reason: null }];
    const observations = new Map<string, UnitObservation>([
      ['shared', failed],
      ['other', active],
    ]);
    const plain = rollout({ waveCount: 1, plan: { ...plan, failureMinUnits: 1 } });
    expect(decideRollout(plain, a, observations, at(100)).action.kind).toBe('abort');
    expect(decideRollout(plain, b, observations, at(100)).action.kind).toBe('complete');
  });
});

describe('judgeVersionHealth', () => {
  const cases: { name: string; items: [string, string][]; instances: [string, string][]; health: string }[] = [
    { name: 'nothing reported yet', items: [], instances: [], health: 'updating' },
    {
      name: 'installed, every instance active',
      items: [['2.0.0', 'installed']],
      instances: [
        ['2.0.0', 'active'],
        ['2.0.0', 'active'],
      ],
      health: 'active',
    },
    {
      name: 'installed, an instance activating',
      items: [['2.0.0', 'installed']],
      instances: [
        ['2.0.0', 'active'],
        ['2.0.0', 'activating'],
      ],
      health: 'updating',
    },
    { name: 'installed without instances', items: [['2.0.0', 'installed']], instances: [], health: 'updating' },
    {
      name: 'the item failed and the unit rolled back',
      items: [
        ['2.0.0', 'failed'],
        ['1.0.0', 'installed'],
      ],
      instances: [['1.0.0', 'active']],
      health: 'failed',
    },
    {
      name: 'an instance of the version failed',
      items: [['2.0.0', 'installed']],
      instances: [['2.0.0', 'failed']],
      health: 'failed',
    },
    {
      name: 'only the old version active',
      items: [['1.0.0', 'installed']],
      instances: [['1.0.0', 'active']],
      health: 'updating',
    },
    { name: 'downloading', items: [['2.0.0', 'downloading']], instances: [], health: 'updating' },
  ];
  it.each(cases)('$name → $health', ({ items, instances, health }) => {
    const reported = {
      items: items.map(([version, state]) => ({ version, state })),
      instances: instances.map(([version, state]) => ({ version, state })),
    };
    expect(judgeVersionHealth(reported, '2.0.0').health).toBe(health);
  });
});
