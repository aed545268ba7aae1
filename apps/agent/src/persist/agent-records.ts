import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorInfo } from '@openaos/protocol';
import type { InstallFailure, InstanceState, RunParameters, ServiceRecord } from '../reconcile/unit-state.js';
import { readJsonFile, writeFileAtomic } from './atomic-write.js';

/** A service version whose blobs are verified and layers unpacked: safe to run. */
export interface InstalledService {
  serviceId: string;
  version: string;
  manifestDigest: string;
  /** Compressed layer digests, manifest order (service rootfs layer first = top). */
  layerDigests: string[];
  /** Every blob of the image (manifest, config, aosService, layers), for garbage collection. */
  blobDigests: string[];
  runParameters: RunParameters;
  /** The verified image config and service_config.json, kept to start instances quickly. */
  imageConfig: unknown;
  serviceConfig: unknown;
  installedAt: string;
}

/** An instance the agent created and has not removed. */
export interface InstanceRecord {
  instance: InstanceState;
  uid: number;
  gid: number;
  /** Start times (ms), recent ones only. */
  starts: number[];
  failed?: ErrorInfo;
  /** linux.cgroupsPath of the running version, to read memory.oom_control after an exit. */
  cgroupsPath: string;
}

/** Everything the agent must remember across restarts besides the target. */
export interface AgentRecords {
  formatVersion: 1;
  services: Record<string, ServiceRecord>;
  installed: Record<string, InstalledService>;
  instances: Record<string, InstanceRecord>;
  uids: Record<string, number>;
  gids: Record<string, number>;
  installFailures: Record<string, InstallFailure>;
}

export function createEmptyRecords(): AgentRecords {
  return { formatVersion: 1, services: {}, installed: {}, instances: {}, uids: {}, gids: {}, installFailures: {} };
}

/** records.json in the agent directory; every change is written atomically before it counts. */
export class RecordsFile {
  readonly path: string;
  constructor(directory: string) {
    this.path = join(directory, 'records.json');
  }

  async load(): Promise<AgentRecords> {
    await mkdir(join(this.path, '..'), { recursive: true });
    return { ...createEmptyRecords(), ...((await readJsonFile<AgentRecords>(this.path)) ?? {}) };
  }

  async save(records: AgentRecords): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(records, null, 1));
  }
}
