import { join } from 'node:path';
import { parseMessageData, type DesiredStatus } from '@openaos/protocol';
import { readJsonFile, writeFileAtomic } from './atomic-write.js';

/**
 * target.json: the last accepted desired status. Written (atomically) BEFORE the agent acts
 * on it, so a restarted agent continues toward the same target.
 */
export class TargetFile {
  readonly path: string;
  constructor(directory: string) {
    this.path = join(directory, 'target.json');
  }

  async load(): Promise<DesiredStatus | undefined> {
    const json = await readJsonFile<unknown>(this.path);
    return json === undefined ? undefined : parseMessageData('desiredStatus', json);
  }

  async save(desired: DesiredStatus): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(parseMessageData('desiredStatus', desired), null, 1));
  }
}
