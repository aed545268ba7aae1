import { describe, expect, it } from 'vitest';
import { createAlertState, stepAlert, type AlertThresholds } from './step-alert.js';

const rule: AlertThresholds = { minTimeoutMs: 10, minThreshold: 30, maxThreshold: 80 };

/** Feed `samples` ([time, value]) and list the events as "time:state". */
function run(samples: [number, number][], thresholds: AlertThresholds = rule): string[] {
  let state = createAlertState(thresholds);
  const events: string[] = [];
  for (const [now, value] of samples) {
    const result = stepAlert(state, value, now);
    state = result.state;
    if (result.event) events.push(`${result.event.at}:${result.event.state}:${result.event.value}`);
  }
  return events;
}

describe('stepAlert', () => {
  it.each<{ name: string; samples: [number, number][]; events: string[]; thresholds?: AlertThresholds }>([
    {
      name: 'never reaching max: nothing',
      samples: [
        [0, 79],
        [10, 79],
        [20, 79],
      ],
      events: [],
    },
    {
      name: 'at max for less than minTimeout: nothing',
      samples: [
        [0, 80],
        [5, 90],
        [9, 85],
      ],
      events: [],
    },
    {
      name: 'at max for minTimeout: raise',
      samples: [
        [0, 80],
        [5, 90],
        [10, 85],
      ],
      events: ['10:raise:85'],
    },
    {
      name: 'a dip below max restarts the wait',
      samples: [
        [0, 90],
        [5, 70],
        [8, 90],
        [15, 90],
        [18, 90],
      ],
      events: ['18:raise:90'],
    },
    {
      name: 'continue every minTimeout while above min',
      samples: [
        [0, 90],
        [10, 90],
        [15, 50],
        [20, 40],
        [25, 90],
        [30, 31],
      ],
      events: ['10:raise:90', '20:continue:40', '30:continue:31'],
    },
    {
      name: 'fall after minTimeout at or below min',
      samples: [
        [0, 90],
        [10, 90],
        [12, 30],
        [18, 10],
        [22, 20],
      ],
      events: ['10:raise:90', '22:fall:20'],
    },
    {
      name: 'no continue while waiting to fall, and a rise above min restarts the fall wait',
      samples: [
        [0, 90],
        [10, 90],
        [12, 20],
        [20, 20],
        [21, 50],
        [23, 20],
        [32, 20],
        [33, 20],
      ],
      events: ['10:raise:90', '21:continue:50', '33:fall:20'],
    },
    {
      name: 'raises again after a fall',
      samples: [
        [0, 90],
        [10, 90],
        [11, 0],
        [21, 0],
        [22, 95],
        [32, 95],
      ],
      events: ['10:raise:90', '21:fall:0', '32:raise:95'],
    },
    {
      name: 'minTimeout 0: raise at once, continue every sample, fall at once',
      samples: [
        [0, 80],
        [1, 60],
        [2, 30],
      ],
      events: ['0:raise:80', '1:continue:60', '2:fall:30'],
      thresholds: { minTimeoutMs: 0, minThreshold: 30, maxThreshold: 80 },
    },
  ])('$name', ({ samples, events, thresholds }) => {
    expect(run(samples, thresholds)).toEqual(events);
  });

  it('does not mutate the state it was given', () => {
    const state = createAlertState(rule);
    const frozen = structuredClone(state);
    stepAlert(state, 100, 0);
    expect(state).toEqual(frozen);
  });
});
