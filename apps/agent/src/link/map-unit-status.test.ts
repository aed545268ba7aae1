import type { UnitStatus as AgentStatus } from '../formats/unit-status.js';
import { unitStatusSchema } from '@openaos/protocol/v7';
import { describe, expect, it } from 'vitest';
import { mapUnitStatus, nextStatusMessage } from './map-unit-status.js';

const A = '6c5c1a04-1b1e-4a07-a2d5-0fe0b4b09d3f';
const B = '0a7ac2b3-5d4e-4f11-9d3c-2e6a8a3f0c11';
const SUBJECT = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const options = { nodeCodename: 'main', runtimeCodename: 'runc' };

function agentStatus(overrides: Partial<AgentStatus> = {}): AgentStatus {
  return {
    messageType: 'unitStatus',
    isDeltaInfo: false,
    nodes: [],
    services: [
      { id: A, version: '1.1.0', status: 'error', errorInfo: { message: 'rolled back to 1.0.0: exited' } },
      { id: A, version: '1.0.0', status: 'installed' },
      { id: B, version: '2.0.0', status: 'installing' },
    ],
    instances: [
      { serviceId: A, subjectId: SUBJECT, instance: 0, version: '1.0.0', status: 'active' },
      {
        serviceId: A,
        subjectId: SUBJECT,
        instance: 1,
        version: '1.0.0',
        status: 'failed',
        errorInfo: { exitCode: 3, message: 'exited' },
      },
      { serviceId: B, subjectId: 'local', instance: 0, version: '2.0.0', status: 'activating' },
    ],
    ...overrides,
  };
}

describe('mapUnitStatus', () => {
  it('maps items and groups instances per item, subject and version, valid v7', () => {
    const status = mapUnitStatus(agentStatus(), options);
    expect(unitStatusSchema.safeParse(status).success).toBe(true);
    expect(status.items).toEqual([
      { item: { id: A }, version: '1.1.0', state: 'failed', errorInfo: { message: 'rolled back to 1.0.0: exited' } },
      { item: { id: A }, version: '1.0.0', state: 'installed' },
      { item: { id: B }, version: '2.0.0', state: 'installing' },
    ]);
    expect(status.instances).toEqual([
      {
        item: { id: A },
        subject: { id: SUBJECT },
        version: '1.0.0',
        instances: [
          { node: { codename: 'main' }, runtime: { codename: 'runc' }, instance: 0, state: 'active' },
          {
            node: { codename: 'main' },
            runtime: { codename: 'runc' },
            instance: 1,
            state: 'failed',
            errorInfo: { exitCode: 3, message: 'exited' },
          },
        ],
      },
      {
        item: { id: B },
        subject: { codename: 'local' },
        version: '2.0.0',
        instances: [{ node: { codename: 'main' }, runtime: { codename: 'runc' }, instance: 0, state: 'activating' }],
      },
    ]);
  });

  it('overlays items the link downloads or failed to download', () => {
    const status = mapUnitStatus(agentStatus(), {
      ...options,
      overlay: [
        { id: B, version: '2.0.0', state: 'downloading' },
        { id: A, version: '3.0.0', state: 'failed', errorInfo: { message: 'digest' } },
      ],
    });
    expect(status.items?.filter((item) => item.item.id === B)).toEqual([
      { item: { id: B }, version: '2.0.0', state: 'downloading' },
    ]);
    expect(status.items).toContainEqual({
      item: { id: A },
      version: '3.0.0',
      state: 'failed',
      errorInfo: { message: 'digest' },
    });
  });

  it('never shows an item the agent has installed as downloading', () => {
    // The link's overlay is cleared after the desired status is stored; the agent may have
    // installed and started the item before that (seen on a loaded CI machine).
    const status = mapUnitStatus(agentStatus({ services: [{ id: B, version: '2.0.0', status: 'installed' }] }), {
      ...options,
      overlay: [{ id: B, version: '2.0.0', state: 'downloading' }],
    });
    expect(status.items).toEqual([{ item: { id: B }, version: '2.0.0', state: 'installed' }]);
  });
});

describe('nextStatusMessage', () => {
  const full = mapUnitStatus(agentStatus(), options);

  it('sends the full status first, nothing when nothing changed', () => {
    expect(nextStatusMessage(undefined, full)).toBe(full);
    expect(nextStatusMessage(full, mapUnitStatus(agentStatus(), options))).toBeUndefined();
  });

  it('sends a delta with only what changed', () => {
    const changed = agentStatus();
    changed.services[2] = { id: B, version: '2.0.0', status: 'installed' };
    changed.instances[2] = { ...changed.instances[2]!, status: 'active' };
    const message = nextStatusMessage(full, mapUnitStatus(changed, options));
    expect(message).toMatchObject({ isDeltaInfo: true, items: [{ item: { id: B }, state: 'installed' }] });
    expect(message?.instances).toHaveLength(1);
    expect(message?.instances?.[0]?.item).toEqual({ id: B });
  });

  it('sends the full status when something went away (a delta cannot say so)', () => {
    const next = mapUnitStatus(agentStatus({ instances: [] }), options);
    expect(nextStatusMessage(full, next)).toBe(next);
  });
});
