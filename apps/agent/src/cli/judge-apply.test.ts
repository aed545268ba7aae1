import type { UnitStatus } from '../formats/unit-status.js';
import { describe, expect, it } from 'vitest';
import { expandTarget } from '../reconcile/expand-target.js';
import { judgeApply } from './judge-apply.js';

const A = 'service-a';
const V2 = 'sha256:' + '2'.repeat(64);
const target = expandTarget({
  messageType: 'desiredStatus',
  services: [{ id: A, version: '2.0.0', manifestDigest: V2, urls: [] }],
  instances: [{ serviceId: A, subjectId: 's', priority: 0, numInstances: 1 }],
});

function status(services: UnitStatus['services'], instance: Partial<UnitStatus['instances'][number]>): UnitStatus {
  return {
    messageType: 'unitStatus',
    isDeltaInfo: false,
    nodes: [],
    services,
    instances: [
      { serviceId: A, subjectId: 's', instance: 0, nodeId: 'main', version: '2.0.0', status: 'active', ...instance },
    ],
  };
}

describe('judgeApply', () => {
  const installed = [{ id: A, version: '2.0.0', status: 'installed' as const }];
  it.each([
    [
      'a status of the previous target',
      status([{ id: A, version: '1.0.0', status: 'installed' }], { version: '1.0.0' }),
      {},
      { settled: false },
    ],
    ['active but not committed yet', status(installed, {}), {}, { settled: false }],
    [
      'committed but its instance restarting',
      status(installed, { status: 'activating' }),
      { [A]: { activeDigest: V2 } },
      { settled: false },
    ],
    ['committed and active', status(installed, {}), { [A]: { activeDigest: V2 } }, { settled: true, failures: [] }],
    [
      'rolled back, previous version starting',
      status(
        [
          {
            id: A,
            version: '2.0.0',
            status: 'error',
            errorInfo: { message: 'rolled back to 1.0.0: start burst exceeded', exitCode: 3 },
          },
          { id: A, version: '1.0.0', status: 'installed' },
        ],
        { version: '1.0.0', status: 'activating' },
      ),
      {},
      { settled: false },
    ],
    [
      'rolled back, previous version active',
      status(
        [
          {
            id: A,
            version: '2.0.0',
            status: 'error',
            errorInfo: { message: 'rolled back to 1.0.0: start burst exceeded', exitCode: 3 },
          },
          { id: A, version: '1.0.0', status: 'installed' },
        ],
        { version: '1.0.0' },
      ),
      {},
      {
        settled: true,
        failures: [
          { serviceId: A, version: '2.0.0', message: 'rolled back to 1.0.0: start burst exceeded', exitCode: 3 },
        ],
      },
    ],
    [
      'downgrade refused, the committed version still active',
      status(
        [
          {
            id: A,
            version: '2.0.0',
            status: 'error',
            errorInfo: {
              message: 'downgrade from 3.0.0 to 2.0.0 refused: the desired status does not mark it as a rollback',
            },
          },
          { id: A, version: '3.0.0', status: 'installed' },
        ],
        { version: '3.0.0' },
      ),
      {},
      {
        settled: true,
        failures: [
          {
            serviceId: A,
            version: '2.0.0',
            message: 'downgrade from 3.0.0 to 2.0.0 refused: the desired status does not mark it as a rollback',
          },
        ],
      },
    ],
    [
      'failing with nothing to roll back to',
      status(installed, { status: 'failed', errorInfo: { message: 'start burst exceeded' } }),
      {},
      {
        settled: true,
        failures: [{ serviceId: A, version: '2.0.0', message: 'instance s/0 failed: start burst exceeded' }],
      },
    ],
  ])('%s', (_name, unitStatus, services, expected) => {
    expect(judgeApply(target, unitStatus, { services })).toEqual(expected);
  });
});
