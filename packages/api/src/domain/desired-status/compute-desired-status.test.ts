import { describe, expect, it } from 'vitest';
import { computeDesiredStatus, type DesiredStatusInputs } from './compute-desired-status.js';

const SERVICE_A = '0a4f7a5e-0000-4000-8000-00000000000a';
const SERVICE_B = '0a4f7a5e-0000-4000-8000-00000000000b';
const SUBJECT_1 = '5b1e0000-0000-4000-8000-000000000001';
const SUBJECT_2 = '5b1e0000-0000-4000-8000-000000000002';
const OWNER = '0e0e0000-0000-4000-8000-000000000000';
const digest = (n: number) => `sha256:${String(n).padStart(64, '0')}`;

function inputs(overrides: Partial<DesiredStatusInputs> = {}): DesiredStatusInputs {
  return {
    isVerificationUnit: false,
    subjects: [{ id: SUBJECT_1, name: 'cabin', type: 'group' }],
    bindings: [{ subjectId: SUBJECT_1, serviceId: SERVICE_A }],
    services: [
      { id: SERVICE_A, title: 'alpha', ownerId: OWNER, ownerTitle: 'Provider' },
      { id: SERVICE_B, title: 'beta', ownerId: OWNER, ownerTitle: 'Provider' },
    ],
    versions: [],
    previousItems: [],
    ...overrides,
  };
}

const version = (id: string, serviceId: string, semver: string, state: string, extra: object = {}) => ({
  id,
  serviceId,
  version: semver,
  state,
  indexDigest: digest(Number(id.replace(/\D/g, '')) || 1),
  instances: undefined,
  ...extra,
});

describe('computeDesiredStatus', () => {
  const cases: {
    name: string;
    input: DesiredStatusInputs;
    versions: (string | undefined)[];
    rollback?: boolean[];
  }[] = [
    {
      name: 'a normal unit gets the newest approved version, not a newer ready one',
      input: inputs({
        versions: [
          version('v1', SERVICE_A, '1.0.0', 'approved'),
          version('v2', SERVICE_A, '1.2.0', 'approved'),
          version('v3', SERVICE_A, '1.10.0', 'ready'),
        ],
      }),
      versions: ['1.2.0'],
    },
    {
      name: 'a unit in a verification set gets the newest ready-or-approved version',
      input: inputs({
        isVerificationUnit: true,
        versions: [version('v1', SERVICE_A, '1.0.0', 'approved'), version('v3', SERVICE_A, '1.10.0', 'ready')],
      }),
      versions: ['1.10.0'],
    },
    {
      name: 'failed and processing versions never count',
      input: inputs({
        isVerificationUnit: true,
        versions: [version('v1', SERVICE_A, '2.0.0', 'failed'), version('v2', SERVICE_A, '3.0.0', 'processing')],
      }),
      versions: [],
    },
    {
      name: 'a bound service with no approved version is absent',
      input: inputs({ versions: [version('v1', SERVICE_A, '1.0.0', 'ready')] }),
      versions: [],
    },
    {
      name: 'an unbound service is absent whatever its versions',
      input: inputs({ bindings: [], versions: [version('v1', SERVICE_A, '1.0.0', 'approved')] }),
      versions: [],
    },
    {
      name: 'a version older than the one last issued is a rollback',
      input: inputs({
        versions: [version('v1', SERVICE_A, '1.0.0', 'approved')],
        previousItems: [{ serviceId: SERVICE_A, version: '1.1.0', isRollback: false }],
      }),
      versions: ['1.0.0'],
      rollback: [true],
    },
    {
      name: 'a rollback stays one while that version stays (no flapping)',
      input: inputs({
        versions: [version('v1', SERVICE_A, '1.0.0', 'approved')],
        previousItems: [{ serviceId: SERVICE_A, version: '1.0.0', isRollback: true }],
      }),
      versions: ['1.0.0'],
      rollback: [true],
    },
    {
      name: 'a newer version is no rollback',
      input: inputs({
        versions: [version('v2', SERVICE_A, '1.2.0', 'approved')],
        previousItems: [{ serviceId: SERVICE_A, version: '1.0.0', isRollback: true }],
      }),
      versions: ['1.2.0'],
      rollback: [false],
    },
    {
      name: 'a rollout pin decides for a normal unit: the older version it pins, not the newest approved',
      input: inputs({
        versions: [version('v1', SERVICE_A, '1.0.0', 'approved'), version('v2', SERVICE_A, '1.1.0', 'approved')],
        rolloutPins: [{ serviceId: SERVICE_A, version: '1.0.0' }],
        heldVersionIds: ['v2'],
      }),
      versions: ['1.0.0'],
    },
    {
      name: 'a pin to no version leaves the service absent',
      input: inputs({
        versions: [version('v2', SERVICE_A, '1.1.0', 'approved')],
        rolloutPins: [{ serviceId: SERVICE_A, version: null }],
      }),
      versions: [],
    },
    {
      name: 'a pin to a version that is gone (or failed) gives none rather than an unreleased one',
      input: inputs({
        versions: [version('v2', SERVICE_A, '1.1.0', 'approved'), version('v3', SERVICE_A, '1.2.0', 'failed')],
        rolloutPins: [{ serviceId: SERVICE_A, version: '1.2.0' }],
      }),
      versions: [],
    },
    {
      name: 'a unit no rollout covers skips approved versions an unfinished rollout holds',
      input: inputs({
        versions: [version('v1', SERVICE_A, '1.0.0', 'approved'), version('v2', SERVICE_A, '1.1.0', 'approved')],
        heldVersionIds: ['v2'],
      }),
      versions: ['1.0.0'],
    },
    {
      name: 'a verification unit ignores pins and holds: it gets the newest ready version',
      input: inputs({
        isVerificationUnit: true,
        versions: [version('v1', SERVICE_A, '1.0.0', 'approved'), version('v2', SERVICE_A, '1.1.0', 'ready')],
        rolloutPins: [{ serviceId: SERVICE_A, version: '1.0.0' }],
        heldVersionIds: ['v2'],
      }),
      versions: ['1.1.0'],
    },
    {
      name: 'a pin back to the version the unit had is a rollback',
      input: inputs({
        versions: [version('v1', SERVICE_A, '1.0.0', 'approved'), version('v2', SERVICE_A, '1.1.0', 'approved')],
        rolloutPins: [{ serviceId: SERVICE_A, version: '1.0.0' }],
        previousItems: [{ serviceId: SERVICE_A, version: '1.1.0', isRollback: false }],
      }),
      versions: ['1.0.0'],
      rollback: [true],
    },
  ];
  it.each(cases)('$name', ({ input, versions, rollback }) => {
    const { data } = computeDesiredStatus(input);
    expect(data.items.map((item) => item.version)).toEqual(versions);
    if (rollback) expect(data.items.map((item) => item.isRollback === true)).toEqual(rollback);
  });

  it('names items and owners as the contract says and takes instances from the config', () => {
    const { data } = computeDesiredStatus(
      inputs({
        subjects: [
          { id: SUBJECT_2, name: 'driver', type: 'user' },
          { id: SUBJECT_1, name: 'cabin', type: 'group' },
        ],
        bindings: [
          { subjectId: SUBJECT_2, serviceId: SERVICE_A },
          { subjectId: SUBJECT_1, serviceId: SERVICE_A },
        ],
        versions: [
          version('v7', SERVICE_A, '1.0.0', 'approved', {
            instances: { minInstances: 3, priority: 7, labels: ['gpu'] },
          }),
        ],
      }),
    );
    expect(data.items).toEqual([
      {
        item: { id: SERVICE_A, type: 'service', codename: 'alpha' },
        version: '1.0.0',
        owner: { id: OWNER, type: 'sp', title: 'Provider' },
        indexDigest: digest(7),
      },
    ]);
    expect(data.instances).toEqual([
      { item: { id: SERVICE_A }, subject: { id: SUBJECT_1 }, priority: 7, numInstances: 3, labels: ['gpu'] },
      { item: { id: SERVICE_A }, subject: { id: SUBJECT_2 }, priority: 7, numInstances: 3, labels: ['gpu'] },
    ]);
    expect(data.subjects).toEqual([
      { identity: { id: SUBJECT_1, codename: 'cabin' }, type: 'group' },
      { identity: { id: SUBJECT_2, codename: 'driver' }, type: 'user' },
    ]);
  });

  it('defaults to one instance at priority 0; minInstances 0 asks for none; without an index the item waits', () => {
    const result = computeDesiredStatus(
      inputs({
        bindings: [
          { subjectId: SUBJECT_1, serviceId: SERVICE_A },
          { subjectId: SUBJECT_1, serviceId: SERVICE_B },
        ],
        versions: [
          version('v1', SERVICE_A, '1.0.0', 'approved'),
          version('v2', SERVICE_B, '1.0.0', 'approved', { instances: { minInstances: 0 } }),
          version('v3', SERVICE_B, '2.0.0', 'approved', { indexDigest: null }),
        ],
      }),
    );
    expect(result.data.instances).toEqual([
      { item: { id: SERVICE_A }, subject: { id: SUBJECT_1 }, priority: 0, numInstances: 1 },
    ]);
    expect(result.missingIndex).toEqual(['v3']);
    expect(result.data.items.map((item) => item.item.id)).toEqual([SERVICE_A]);
  });

  it('gives the same document for the same rows in any order', () => {
    const base = inputs({
      subjects: [
        { id: SUBJECT_1, name: 'cabin', type: 'group' },
        { id: SUBJECT_2, name: 'driver', type: 'user' },
      ],
      bindings: [
        { subjectId: SUBJECT_1, serviceId: SERVICE_B },
        { subjectId: SUBJECT_2, serviceId: SERVICE_A },
      ],
      versions: [version('v1', SERVICE_A, '1.0.0', 'approved'), version('v2', SERVICE_B, '1.0.0', 'approved')],
    });
    const shuffled = {
      ...base,
      subjects: [...base.subjects].reverse(),
      bindings: [...base.bindings].reverse(),
      versions: [...base.versions].reverse(),
      services: [...base.services].reverse(),
    };
    expect(computeDesiredStatus(shuffled).data).toEqual(computeDesiredStatus(base).data);
  });
});
