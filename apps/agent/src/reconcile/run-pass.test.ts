import { describe, expect, it } from 'vitest';
import type { InstanceState, UnitState } from '../state.js';
import type { Observed } from './observe-unit.js';
import { MAX_ROUNDS, runPass } from './run-pass.js';

const run = { startIntervalMs: 5000, startBurst: 3, restartIntervalMs: 1000 };
const service = { serviceId: 's', version: '1.0.0', manifestDigest: 'sha256:s', urls: [], runParameters: run };
const instance: InstanceState = {
  instanceId: 's-0',
  serviceId: 's',
  subjectId: 'x',
  index: 0,
  priority: 0,
  version: '1.0.0',
  manifestDigest: 'sha256:s',
};
const target: UnitState = { services: [service], instances: [instance] };

/** A unit whose observation shows whether the instance was started; `isStarting` makes starts take effect. */
function createUnit(isStarting: boolean) {
  let started = false;
  let observations = 0;
  const observe = async (): Promise<Observed> => {
    observations += 1;
    const instances = started ? [instance] : [];
    return {
      current: { services: [service], instances },
      observations: {
        now: 100_000,
        services: { s: { activeDigest: 'sha256:s' } },
        installFailures: {},
        instances: started ? { 's-0': { phase: 'running', starts: [99_000] } } : {},
      },
    };
  };
  return {
    observe,
    execute: async () => {
      if (isStarting) started = true;
    },
    get observations() {
      return observations;
    },
  };
}

describe('runPass', () => {
  it('observes once per round and returns the observation taken after the last execution', async () => {
    const unit = createUnit(true);
    const { steps, observed } = await runPass({ target, ...unit });
    expect(steps.map((step) => step.kind)).toEqual(['start-instance']);
    expect(unit.observations).toBe(2);
    expect(observed.current.instances).toEqual([instance]);
  });

  it('observes once and executes nothing when there is nothing to do', async () => {
    const again = createUnit(false);
    const { steps } = await runPass({ target: { services: [service], instances: [] }, ...again });
    expect(steps).toEqual([]);
    expect(again.observations).toBe(1);
  });

  it(`stops after ${MAX_ROUNDS} rounds when a step cannot take effect yet`, async () => {
    const unit = createUnit(false);
    const { steps } = await runPass({ target, ...unit });
    expect(steps).toHaveLength(MAX_ROUNDS);
    expect(unit.observations).toBe(MAX_ROUNDS + 1);
  });
});
