import { desiredStatusSchema } from '@openaos/protocol/v7';
import { describe, expect, it } from 'vitest';
import { mapDesiredStatus } from './map-desired-status.js';

const SERVICE = '6c5c1a04-1b1e-4a07-a2d5-0fe0b4b09d3f';
const OTHER = '0a7ac2b3-5d4e-4f11-9d3c-2e6a8a3f0c11';
const SUBJECT = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const OWNER = 'c0ffee00-1234-4abc-9def-0123456789ab';
const INDEX = `sha256:${'1'.repeat(64)}`;
const INDEX_2 = `sha256:${'2'.repeat(64)}`;
const MANIFEST = `sha256:${'a'.repeat(64)}`;
const MANIFEST_2 = `sha256:${'b'.repeat(64)}`;
const images = new Map([
  [INDEX, { manifestDigest: MANIFEST, size: 500 }],
  [INDEX_2, { manifestDigest: MANIFEST_2, size: 600 }],
]);

function parse(data: object) {
  return desiredStatusSchema.parse({ messageType: 'desiredStatus', ...data });
}

describe('mapDesiredStatus (v7 → the agent target)', () => {
  it('maps items to services by manifest, and instances per subject with priority, count and labels', () => {
    const desired = parse({
      items: [
        { item: { id: SERVICE }, version: '1.0.0', owner: { id: OWNER }, indexDigest: INDEX },
        { item: { id: OTHER }, version: '0.9.0', owner: { id: OWNER }, indexDigest: INDEX_2, isRollback: true },
      ],
      instances: [
        { item: { id: SERVICE }, subject: { id: SUBJECT }, priority: 5, numInstances: 2, labels: ['x'] },
        { item: { id: OTHER }, subject: { id: SUBJECT } },
      ],
    });
    expect(mapDesiredStatus(desired, images, '/s/downloads')).toEqual({
      messageType: 'desiredStatus',
      services: [
        // The owner is the service provider: its instances share one network on the unit.
        {
          id: SERVICE,
          version: '1.0.0',
          manifestDigest: MANIFEST,
          size: 500,
          urls: ['/s/downloads'],
          providerId: OWNER,
        },
        {
          id: OTHER,
          version: '0.9.0',
          manifestDigest: MANIFEST_2,
          size: 600,
          urls: ['/s/downloads'],
          isRollback: true,
          providerId: OWNER,
        },
      ],
      instances: [
        { serviceId: SERVICE, subjectId: SUBJECT, priority: 5, numInstances: 2, labels: ['x'] },
        { serviceId: OTHER, subjectId: SUBJECT, priority: 0, numInstances: 1 },
      ],
    });
  });

  it('maps an empty desired status to empty lists (everything is removed)', () => {
    expect(mapDesiredStatus(parse({}), images, '/d')).toEqual({
      messageType: 'desiredStatus',
      services: [],
      instances: [],
    });
  });

  it('refuses an item whose image was not resolved', () => {
    const desired = parse({
      items: [{ item: { id: SERVICE }, version: '1', owner: { id: OWNER }, indexDigest: `sha256:${'9'.repeat(64)}` }],
    });
    expect(() => mapDesiredStatus(desired, images, '/d')).toThrow(/is not resolved/);
  });
});
