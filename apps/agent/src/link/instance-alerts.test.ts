import { describe, expect, it } from 'vitest';
import type { InstanceStatusItem, UnitStatus } from '../formats/unit-status.js';
import { InstanceFailureAlerts } from './instance-alerts.js';

const SERVICE = '2efd1506-564e-40de-9466-66ae7a25fac0';
const status = (...instances: Partial<InstanceStatusItem>[]): UnitStatus => ({
  messageType: 'unitStatus',
  isDeltaInfo: false,
  nodes: [],
  services: [],
  instances: instances.map((instance) => ({
    serviceId: SERVICE,
    subjectId: 'fleet',
    instance: 0,
    version: '1.0.0',
    status: 'active',
    ...instance,
  })),
});

describe('instance failure alerts', () => {
  it.each([
    {
      name: 'an instance that turns failed gives one alert with its reason',
      steps: [
        status({ status: 'active' }),
        status({ status: 'failed', errorInfo: { message: 'exited', exitCode: 3 } }),
      ],
      expected: [[], ['instance 0 of version 1.0.0 failed: exited (exit code 3)']],
    },
    {
      name: 'staying failed gives no more',
      steps: [status({}), status({ status: 'failed' }), status({ status: 'failed' })],
      expected: [[], ['instance 0 of version 1.0.0 failed: the instance failed'], []],
    },
    {
      name: 'failed in the first status seen was reported before the agent restarted',
      steps: [status({ status: 'failed' }), status({ status: 'failed' })],
      expected: [[], []],
    },
    {
      name: 'a new instance that fails at once, and a failure after a recovery',
      steps: [
        status({}),
        status({}, { instance: 1, status: 'failed' }),
        status({}, { instance: 1, status: 'active' }),
        status({}, { instance: 1, status: 'failed' }),
      ],
      expected: [
        [],
        ['instance 1 of version 1.0.0 failed: the instance failed'],
        [],
        ['instance 1 of version 1.0.0 failed: the instance failed'],
      ],
    },
  ])('$name', ({ steps, expected }) => {
    const alerts = new InstanceFailureAlerts();
    const now = new Date('2026-12-05T10:00:00Z');
    const seen = steps.map((step) => alerts.next(step, now));
    expect(seen.map((list) => list.map((alert) => ('message' in alert ? alert.message : '')))).toEqual(expected);
    for (const alert of seen.flat())
      expect(alert).toMatchObject({
        tag: 'updateItemInstanceAlert',
        item: { id: SERVICE },
        subjectId: { codename: 'fleet' },
      });
  });
});
