import type { UnitStatus } from './formats/unit-status.js';
import { describe, expect, it } from 'vitest';
import { AgentEvents, computeStatusDelta } from './events.js';

const status = (instances: UnitStatus['instances'], services: UnitStatus['services'] = []): UnitStatus => ({
  messageType: 'unitStatus',
  isDeltaInfo: false,
  nodes: [{ id: 'main', status: 'provisioned' }],
  services,
  instances,
});
const item = (instance: number, state: 'active' | 'activating') => ({
  serviceId: 's',
  subjectId: 'x',
  instance,
  version: '1.0.0',
  status: state,
});

describe('computeStatusDelta', () => {
  it('keeps only the items that are new or changed, as a delta', () => {
    const before = status(
      [item(0, 'active'), item(1, 'activating')],
      [{ id: 's', version: '1.0.0', status: 'installed' }],
    );
    const after = status([item(0, 'active'), item(1, 'active'), item(2, 'activating')], before.services);
    expect(computeStatusDelta(before, after)).toEqual({
      ...after,
      isDeltaInfo: true,
      nodes: [],
      services: [],
      instances: [item(1, 'active'), item(2, 'activating')],
    });
    expect(computeStatusDelta(undefined, after)).toEqual({ ...after, isDeltaInfo: true });
  });
});

describe('AgentEvents', () => {
  it('tells every subscriber in order, logs one that throws, and stops telling one that unsubscribed', () => {
    const heard: string[] = [];
    const logged: string[] = [];
    const events = new AgentEvents((line) => logged.push(line));
    const unsubscribe = events.subscribe({ onAlert: () => heard.push('first') });
    events.subscribe({
      onAlert: () => {
        throw new Error('broken link');
      },
    });
    events.subscribe({ onAlert: () => heard.push('third'), onStatus: () => heard.push('status') });
    const alert = { tag: 'systemAlert', timestamp: '2026-01-01T00:00:00Z', nodeId: 'main', message: 'm' } as never;
    events.emit('onAlert', alert);
    unsubscribe();
    events.emit('onAlert', alert);
    expect(heard).toEqual(['first', 'third', 'third']);
    expect(logged).toEqual([
      "a subscriber's onAlert failed: broken link",
      "a subscriber's onAlert failed: broken link",
    ]);
  });
});
