import { describe, expect, it } from 'vitest';
import { expandTarget, mergeDesiredStatus } from './expand-target.js';

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

describe('mergeDesiredStatus', () => {
  it('keeps the previous list when a list is absent or null, replaces it when given (even empty)', () => {
    const previous = {
      messageType: 'desiredStatus' as const,
      services: [{ id: 's', version: '1', manifestDigest: digest }],
      instances: [{ serviceId: 's', subjectId: 'x', priority: 0, numInstances: 1 }],
    };
    expect(mergeDesiredStatus(previous, { messageType: 'desiredStatus', services: null }).services).toEqual(
      previous.services,
    );
    expect(mergeDesiredStatus(previous, { messageType: 'desiredStatus', instances: [] }).instances).toEqual([]);
    expect(mergeDesiredStatus(undefined, { messageType: 'desiredStatus' })).toMatchObject({
      services: [],
      instances: [],
    });
  });
});
