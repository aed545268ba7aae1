import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DesiredStatus } from '../formats/desired-status.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeDesiredStatus, TargetStore } from './target-store.js';

const digest = 'sha256:' + 'b'.repeat(64);

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

describe('TargetStore.acceptTarget', () => {
  const service = (version: string, c: string) => ({
    id: 's',
    version,
    manifestDigest: 'sha256:' + c.repeat(64),
    urls: [],
  });
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openaos-target-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs concurrent accepts one at a time in call order, and a refused one changes nothing', async () => {
    const path = join(dir, 'target.json');
    const store = await TargetStore.open(path);
    const accepts = ['1.0.0', '1.1.0', '1.2.0'].map((version, index) =>
      store.acceptTarget({ messageType: 'desiredStatus', services: [service(version, String(index))] }),
    );
    const refused = store.acceptTarget({ messageType: 'nonsense' } as unknown as DesiredStatus);
    await Promise.all(accepts);
    await expect(refused).rejects.toThrow();
    expect(store.current?.services).toEqual([service('1.2.0', '2')]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(store.current);
    await writeFile(path, '{"messageType":"unitStatus"}');
    await expect(TargetStore.open(path)).rejects.toThrow();
  });
});
