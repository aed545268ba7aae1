import { describe, expect, it } from 'vitest';
import { expandTarget } from './expand-target.js';

const digest = 'sha256:' + 'b'.repeat(64);

describe('expandTarget', () => {
  it('expands numInstances into indexes running the desired version and drops unknown services', () => {
    const target = expandTarget({
      messageType: 'desiredStatus',
      services: [{ id: 's', version: '2.0.0', manifestDigest: digest, urls: ['/images/s'] }],
      instances: [
        { serviceId: 's', subjectId: 'x', priority: 5, numInstances: 2 },
        { serviceId: 'unknown', subjectId: 'x', priority: 0, numInstances: 1 },
      ],
    });
    expect(target.services).toEqual([
      { serviceId: 's', version: '2.0.0', manifestDigest: digest, urls: ['/images/s'] },
    ]);
    expect(target.instances.map((instance) => [instance.index, instance.version, instance.priority])).toEqual([
      [0, '2.0.0', 5],
      [1, '2.0.0', 5],
    ]);
  });
});
