import { describe, expect, it } from 'vitest';
import { createEmptyRecords } from '../persist/records-file.js';
import type { InstanceState, ServiceVersion } from '../state.js';
import { buildUnitStatus } from './build-unit-status.js';

const run = { startIntervalMs: 5000, startBurst: 3, restartIntervalMs: 1000 };
const version = (value: string, extra: Partial<ServiceVersion> = {}): ServiceVersion => ({
  serviceId: 'a',
  version: value,
  manifestDigest: `sha256:a-${value}`,
  urls: [],
  ...extra,
});
const instance = (value: string): InstanceState => ({
  instanceId: 'a-0',
  serviceId: 'a',
  subjectId: 'x',
  index: 0,
  priority: 0,
  version: value,
  manifestDigest: `sha256:a-${value}`,
});

function statusOf(wanted: ServiceVersion) {
  const records = { ...createEmptyRecords(), services: { a: { activeDigest: 'sha256:a-2.0.0' } } };
  return buildUnitStatus({
    nodeId: 'main',
    current: { services: [version('2.0.0', { runParameters: run })], instances: [instance('2.0.0')] },
    target: { services: [wanted], instances: [instance(wanted.version)] },
    observations: {
      now: 100_000,
      services: records.services,
      instances: { 'a-0': { phase: 'running', starts: [1000] } },
      installFailures: {},
    },
    records,
  });
}

describe('buildUnitStatus', () => {
  it('reports a refused downgrade as an error of the desired version, the committed one installed and running', () => {
    const status = statusOf(version('1.0.0'));
    expect(status.services).toEqual([
      {
        id: 'a',
        version: '1.0.0',
        status: 'error',
        errorInfo: {
          message:
            'downgrade from 2.0.0 to 1.0.0 refused: the desired status does not mark it as a rollback; set isRollback: true on the service to roll back',
        },
      },
      { id: 'a', version: '2.0.0', status: 'installed' },
    ]);
    expect(status.instances).toEqual([expect.objectContaining({ version: '2.0.0', status: 'active' })]);
  });

  it('reports a downgrade marked as a rollback as pending until installed', () => {
    expect(statusOf(version('1.0.0', { isRollback: true })).services).toEqual([
      { id: 'a', version: '1.0.0', status: 'pending' },
    ]);
  });
});
