import { describe, expect, it } from 'vitest';
import { planSteps } from './plan-steps.js';
import { describeStep, type Step } from './steps.js';
import type {
  InstanceRuntime,
  InstanceState,
  Observations,
  ServiceRecord,
  ServiceVersion,
  UnitState,
} from '../state.js';

const run = { startIntervalMs: 5000, startBurst: 3, restartIntervalMs: 1000 };
const NOW = 100_000;
function service(id: string, version: string, installed = true): ServiceVersion {
  return {
    serviceId: id,
    version,
    manifestDigest: `sha256:${id}-${version}`,
    urls: [],
    ...(installed ? { runParameters: run } : {}),
  };
}
function instance(id: string, version: string, index = 0, priority = 0): InstanceState {
  return {
    instanceId: `${id}-${index}`,
    serviceId: id,
    subjectId: 'subj',
    index,
    priority,
    version,
    manifestDigest: `sha256:${id}-${version}`,
  };
}
function running(startedAgo = 60_000): InstanceRuntime {
  return { phase: 'running', starts: [NOW - startedAgo] };
}
function exited(exitedAgo: number, starts: number[], extra: Partial<InstanceRuntime> = {}): InstanceRuntime {
  return {
    phase: 'exited',
    starts: starts.map((ago) => NOW - ago),
    exit: { at: NOW - exitedAgo, exitCode: 1, oomKilled: false },
    ...extra,
  };
}
function observe(
  instances: Record<string, InstanceRuntime> = {},
  services: Record<string, ServiceRecord> = {},
  installFailures: Observations['installFailures'] = {},
): Observations {
  return { now: NOW, instances, services, installFailures };
}
const active = (id: string, version: string): ServiceRecord => ({ activeDigest: `sha256:${id}-${version}` });

interface Case {
  name: string;
  current: UnitState;
  target: UnitState;
  observations: Observations;
  steps: string[];
}

const cases: Case[] = [
  {
    name: 'downgrade not marked as a rollback: refused, the committed version keeps running',
    current: { services: [service('a', '2.0.0')], instances: [instance('a', '2.0.0')] },
    target: { services: [service('a', '1.0.0', false)], instances: [instance('a', '1.0.0')] },
    observations: observe({ 'a-0': running() }, { a: active('a', '2.0.0') }),
    steps: [],
  },
  {
    name: 'downgrade marked as a rollback: installed like an update',
    current: { services: [service('a', '2.0.0')], instances: [instance('a', '2.0.0')] },
    target: {
      services: [{ ...service('a', '1.0.0', false), isRollback: true }],
      instances: [instance('a', '1.0.0')],
    },
    observations: observe({ 'a-0': running() }, { a: active('a', '2.0.0') }),
    steps: ['install a@1.0.0'],
  },
  {
    name: 'older than an uncommitted version but newer than the committed one: not a downgrade',
    current: { services: [service('a', '1.0.0'), service('a', '2.0.0')], instances: [instance('a', '2.0.0')] },
    target: { services: [service('a', '1.5.0', false)], instances: [instance('a', '1.5.0')] },
    observations: observe({ 'a-0': running(1000) }, { a: active('a', '1.0.0') }),
    steps: ['install a@1.5.0'],
  },
  {
    name: 'a pre-release of the committed version is older: refused',
    current: { services: [service('a', '2.0.0')], instances: [instance('a', '2.0.0')] },
    target: { services: [service('a', '2.0.0-rc.1', false)], instances: [instance('a', '2.0.0-rc.1')] },
    observations: observe({ 'a-0': running() }, { a: active('a', '2.0.0') }),
    steps: [],
  },
  {
    name: 'nothing to do',
    current: { services: [], instances: [] },
    target: { services: [], instances: [] },
    observations: observe(),
    steps: [],
  },
  {
    name: 'fresh install: install first, no start yet',
    current: { services: [], instances: [] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe(),
    steps: ['install a@1'],
  },
  {
    name: 'installed: start instances by priority',
    current: { services: [service('a', '1'), service('b', '1')], instances: [] },
    target: {
      services: [service('a', '1'), service('b', '1')],
      instances: [instance('a', '1', 0, 1), instance('b', '1', 0, 50), instance('a', '1', 1, 1)],
    },
    observations: observe({}, { a: active('a', '1'), b: active('b', '1') }),
    steps: ['start b/subj/0@1', 'start a/subj/0@1', 'start a/subj/1@1'],
  },
  {
    name: 'healthy and committed: nothing',
    current: { services: [service('a', '1')], instances: [instance('a', '1')] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe({ 'a-0': running() }, { a: active('a', '1') }),
    steps: [],
  },
  {
    name: 'running long enough: commit the first version',
    current: { services: [service('a', '1')], instances: [instance('a', '1')] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe({ 'a-0': running(6000) }),
    steps: ['commit a@1'],
  },
  {
    name: 'running but not yet for startInterval: no commit',
    current: { services: [service('a', '1')], instances: [instance('a', '1')] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe({ 'a-0': running(1000) }),
    steps: [],
  },
  {
    name: 'update: old keeps running while the new version installs',
    current: { services: [service('a', '1')], instances: [instance('a', '1')] },
    target: { services: [service('a', '2')], instances: [instance('a', '2')] },
    observations: observe({ 'a-0': running() }, { a: active('a', '1') }),
    steps: ['install a@2'],
  },
  {
    name: 'update installed: only the changed service restarts',
    current: {
      services: [service('a', '1'), service('a', '2'), service('b', '1')],
      instances: [instance('a', '1'), instance('b', '1')],
    },
    target: { services: [service('a', '2'), service('b', '1')], instances: [instance('a', '2'), instance('b', '1')] },
    observations: observe({ 'a-0': running(), 'b-0': running() }, { a: active('a', '1'), b: active('b', '1') }),
    steps: ['stop a-0 (update)', 'start a/subj/0@2'],
  },
  {
    name: 'new version stable: commit, then the old version goes',
    current: { services: [service('a', '1'), service('a', '2')], instances: [instance('a', '2')] },
    target: { services: [service('a', '2')], instances: [instance('a', '2')] },
    observations: observe({ 'a-0': running(6000) }, { a: active('a', '1') }),
    steps: ['commit a@2'],
  },
  {
    name: 'after commit the previous version is removed',
    current: { services: [service('a', '1'), service('a', '2')], instances: [instance('a', '2')] },
    target: { services: [service('a', '2')], instances: [instance('a', '2')] },
    observations: observe({ 'a-0': running(6000) }, { a: active('a', '2') }),
    steps: ['remove a@1'],
  },
  {
    name: 'exited: wait for restartInterval',
    current: { services: [service('a', '1')], instances: [instance('a', '1')] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe({ 'a-0': exited(500, [60_000]) }, { a: active('a', '1') }),
    steps: [],
  },
  {
    name: 'exited: restart after restartInterval',
    current: { services: [service('a', '1')], instances: [instance('a', '1')] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe({ 'a-0': exited(1500, [60_000]) }, { a: active('a', '1') }),
    steps: ['restart a/subj/0@1'],
  },
  {
    name: 'start burst exceeded: fail, no restart, no rollback without a previous version',
    current: { services: [service('a', '1')], instances: [instance('a', '1')] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe({ 'a-0': exited(1500, [4000, 3000, 2000]) }),
    steps: ['fail a-0: start burst exceeded (3 failed starts in a row), last exited with code 1'],
  },
  {
    name: 'failed instance stays failed',
    current: { services: [service('a', '1')], instances: [instance('a', '1')] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe({ 'a-0': exited(9000, [4000], { failed: { message: 'x' } }) }, { a: active('a', '1') }),
    steps: [],
  },
  {
    name: 'broken update: fail and reject in one pass',
    current: { services: [service('a', '1'), service('a', '2')], instances: [instance('a', '2')] },
    target: { services: [service('a', '2')], instances: [instance('a', '2')] },
    observations: observe({ 'a-0': exited(1500, [4000, 3000, 2000]) }, { a: active('a', '1') }),
    steps: [
      'fail a-0: start burst exceeded (3 failed starts in a row), last exited with code 1',
      'reject a@2: start burst exceeded (3 failed starts in a row), last exited with code 1',
    ],
  },
  {
    name: 'rejected version: roll back to the committed one (the bad one goes next pass)',
    current: { services: [service('a', '1'), service('a', '2')], instances: [instance('a', '2')] },
    target: { services: [service('a', '2')], instances: [instance('a', '2')] },
    observations: observe(
      { 'a-0': exited(1500, [4000], { failed: { message: 'x' } }) },
      { a: { ...active('a', '1'), rejected: { manifestDigest: 'sha256:a-2', version: '2', error: { message: 'x' } } } },
    ),
    steps: ['stop a-0 (rollback)', 'start a/subj/0@1'],
  },
  {
    name: 'a newer desired version replaces a rejected one',
    current: { services: [service('a', '1'), service('a', '2')], instances: [instance('a', '1')] },
    target: { services: [service('a', '3')], instances: [instance('a', '3')] },
    observations: observe(
      { 'a-0': running() },
      { a: { ...active('a', '1'), rejected: { manifestDigest: 'sha256:a-2', version: '2', error: { message: 'x' } } } },
    ),
    steps: ['install a@3', 'remove a@2'],
  },
  {
    name: 'removed service: remove instances, then its versions',
    current: { services: [service('a', '1'), service('b', '1')], instances: [instance('a', '1'), instance('b', '1')] },
    target: { services: [service('b', '1')], instances: [instance('b', '1')] },
    observations: observe({ 'a-0': running(), 'b-0': running() }, { a: active('a', '1'), b: active('b', '1') }),
    steps: ['remove a-0', 'remove a@1'],
  },
  {
    name: 'fewer instances: remove the extra index only',
    current: { services: [service('a', '1')], instances: [instance('a', '1', 0), instance('a', '1', 1)] },
    target: { services: [service('a', '1')], instances: [instance('a', '1', 0)] },
    observations: observe({ 'a-0': running(), 'a-1': running() }, { a: active('a', '1') }),
    steps: ['remove a-1'],
  },
  {
    name: 'failed install: wait for the retry delay',
    current: { services: [], instances: [] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe(
      {},
      {},
      { 'sha256:a-1': { error: { message: 'digest mismatch' }, at: NOW - 500, attempts: 1 } },
    ),
    steps: [],
  },
  {
    name: 'failed install: retry after the delay',
    current: { services: [], instances: [] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe(
      {},
      {},
      { 'sha256:a-1': { error: { message: 'digest mismatch' }, at: NOW - 1500, attempts: 1 } },
    ),
    steps: ['install a@1'],
  },
  {
    name: 'slow crash loop of a new version: the third failed start in a row fails it and rolls back',
    current: { services: [service('a', '1'), service('a', '2')], instances: [instance('a', '2')] },
    target: { services: [service('a', '2')], instances: [instance('a', '2')] },
    // Runs of 3 s with 1 s between them: never 3 starts within 5 s.
    observations: observe(
      { 'a-0': exited(1500, [12_500, 8_500, 4_500], { failedStarts: 2 }) },
      { a: active('a', '1') },
    ),
    steps: [
      'fail a-0: start burst exceeded (3 failed starts in a row), last exited with code 1',
      'reject a@2: start burst exceeded (3 failed starts in a row), last exited with code 1',
    ],
  },
  {
    name: 'runc could not start the new version (its program is missing): its error is the reason',
    current: { services: [service('a', '1'), service('a', '2')], instances: [instance('a', '2')] },
    target: { services: [service('a', '2')], instances: [instance('a', '2')] },
    observations: observe(
      {
        'a-0': exited(1500, [4000, 3000, 2000], {
          exit: { at: NOW - 1500, exitCode: 1, oomKilled: false, startError: 'exec: "/x": no such file or directory' },
        }),
      },
      { a: active('a', '1') },
    ),
    steps: [
      'fail a-0: start burst exceeded (3 failed starts in a row), last could not be started: exec: "/x": no such file or directory',
      'reject a@2: start burst exceeded (3 failed starts in a row), last could not be started: exec: "/x": no such file or directory',
    ],
  },
  {
    name: 'committed version exiting within startInterval, 3 times in a row: failed (nothing to roll back to)',
    current: { services: [service('a', '1')], instances: [instance('a', '1')] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe({ 'a-0': exited(1500, [4_500], { failedStarts: 2 }) }, { a: active('a', '1') }),
    steps: ['fail a-0: start burst exceeded (3 failed starts in a row), last exited with code 1'],
  },
  {
    name: 'committed version that ran past startInterval: restarted, its earlier failed starts forgiven',
    current: { services: [service('a', '1')], instances: [instance('a', '1')] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe({ 'a-0': exited(1500, [60_000], { failedStarts: 2 }) }, { a: active('a', '1') }),
    steps: ['restart a/subj/0@1'],
  },
  {
    name: 'container gone (adopted after reboot): restart at once',
    current: { services: [service('a', '1')], instances: [instance('a', '1')] },
    target: { services: [service('a', '1')], instances: [instance('a', '1')] },
    observations: observe({ 'a-0': { phase: 'missing', starts: [NOW - 60_000] } }, { a: active('a', '1') }),
    steps: ['restart a/subj/0@1'],
  },
];

describe('planSteps', () => {
  it.each(cases)('$name', ({ current, target, observations, steps }) => {
    expect(planSteps(current, target, observations).map(describeStep)).toEqual(steps);
  });

  it('is pure: same inputs give equal plans and inputs are not changed', () => {
    const testCase = cases[7]!;
    const snapshot = JSON.stringify(testCase);
    expect(planSteps(testCase.current, testCase.target, testCase.observations)).toEqual(
      planSteps(testCase.current, testCase.target, testCase.observations),
    );
    expect(JSON.stringify(testCase)).toBe(snapshot);
  });
});

/**
 * The restart policy over time: one instance whose every run lasts `runMs` and exits 1, passes
 * every 500 ms, steps applied as the executors do (start times, failed starts, failed, rejected).
 */
function simulateCrashLoop(runMs: number, limitMs = 120_000) {
  const current: UnitState = { services: [service('a', '1'), service('a', '2')], instances: [instance('a', '2')] };
  const target: UnitState = { services: [service('a', '2')], instances: [instance('a', '2')] };
  const services: Record<string, ServiceRecord> = { a: active('a', '1') };
  let runtime: InstanceRuntime = { phase: 'running', starts: [0] };
  for (let now = 0; now <= limitMs; now += 500) {
    const lastStart = runtime.starts.at(-1)!;
    if (runtime.phase === 'running' && now >= lastStart + runMs)
      runtime = { ...runtime, phase: 'exited', exit: { at: lastStart + runMs, exitCode: 1, oomKilled: false } };
    const steps: Step[] = planSteps(current, target, {
      now,
      instances: { 'a-0': runtime },
      services,
      installFailures: {},
    });
    for (const step of steps) {
      if (step.kind === 'restart-instance')
        runtime = { phase: 'running', starts: [...runtime.starts, now], failedStarts: step.failedStarts };
      if (step.kind === 'mark-instance-failed') runtime = { ...runtime, failed: step.error };
      if (step.kind === 'reject-version')
        return { outcome: 'rejected' as const, at: now, starts: runtime.starts.length, error: step.error.message };
      if (step.kind === 'commit-version')
        return { outcome: 'committed' as const, at: now, starts: runtime.starts.length };
    }
  }
  return { outcome: 'running' as const, at: limitMs, starts: runtime.starts.length };
}

describe('restart policy over time', () => {
  // Bound: startBurst runs, each under startInterval, plus restartInterval and a pass between them.
  const bound = run.startBurst * (run.startIntervalMs + run.restartIntervalMs + 500);
  it.each([100, 1000, 1700, 2500, 3000, 4000, 4900])(
    'a new version whose runs last %i ms is rejected after 3 starts, within startBurst × (startInterval + restartInterval)',
    (runMs) => {
      const result = simulateCrashLoop(runMs);
      expect(result.outcome).toBe('rejected');
      expect(result.starts).toBe(run.startBurst);
      expect(result.at).toBeLessThanOrEqual(bound);
      expect(result.error).toMatch(/^start burst exceeded \(3 failed starts in a row\), last exited with code 1$/);
    },
  );

  it('a version that stays up for startInterval is committed, not rejected', () => {
    expect(simulateCrashLoop(8000).outcome).toBe('committed');
  });
});
