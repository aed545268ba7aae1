import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AgentRecords } from '../state.js';
import { readJsonFile, writeFileAtomic } from './atomic-write.js';

export function createEmptyRecords(): AgentRecords {
  return { formatVersion: 1, services: {}, installed: {}, instances: {}, uids: {}, gids: {}, installFailures: {} };
}

/** records.json (`agentFiles(paths).records`); every change is written atomically before it counts. */
export class RecordsFile {
  constructor(readonly path: string) {}

  async load(): Promise<AgentRecords> {
    await mkdir(dirname(this.path), { recursive: true });
    return { ...createEmptyRecords(), ...((await readJsonFile<AgentRecords>(this.path)) ?? {}) };
  }

  async save(records: AgentRecords): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(records, null, 1));
  }
}
