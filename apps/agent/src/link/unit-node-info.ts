import { totalmem } from 'node:os';
import type { UnitNodeInfo } from '@openaos/protocol/v7';

/** The unit's one node as v7 reports it (full unitStatus): the machine, its RAM and the runc runtime. */
export function describeUnitNode(options: { nodeId: string; architecture: string; maxDmips?: number }): UnitNodeInfo {
  const osInfo = { os: 'linux' };
  return {
    identity: { codename: options.nodeId, type: 'node' },
    nodeGroupSubject: { codename: options.nodeId },
    maxDmips: options.maxDmips ?? 0,
    physicalRam: totalmem(),
    totalRam: totalmem(),
    osInfo,
    runtimes: [
      {
        identity: { codename: 'runc', type: 'runtime' },
        runtimeType: 'runc',
        archInfo: { architecture: options.architecture },
        osInfo,
        maxInstances: 0,
      },
    ],
    isConnected: true,
    state: 'provisioned',
  };
}
