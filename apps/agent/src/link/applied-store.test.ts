import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAppliedState, writeAppliedState } from './applied-store.js';

describe('the applied desired status', () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('guards against replays only under the certificate it was applied with', async () => {
    directory = await mkdtemp(join(tmpdir(), 'openaos-applied-'));
    const path = join(directory, 'cloud-applied.json');
    const image = { manifestDigest: `sha256:${'b'.repeat(64)}` };
    await writeAppliedState(path, {
      applied: { generation: 7, digest: 'digest-7' },
      identity: 'AA:BB',
      images: { [`sha256:${'a'.repeat(64)}`]: image as never },
    });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ identity: 'AA:BB' });

    const same = await readAppliedState(path, 'AA:BB');
    expect(same.applied).toEqual({ generation: 7, digest: 'digest-7' });

    // Provisioned again (a unit deleted and registered again starts at generation 1 in the cloud):
    // the old generation is no replay guard, the content-addressed image cache stays.
    const reprovisioned = await readAppliedState(path, 'CC:DD');
    expect(reprovisioned.applied).toBeUndefined();
    expect(reprovisioned.identity).toBe('CC:DD');
    expect(Object.keys(reprovisioned.images)).toHaveLength(1);
  });

  it('starts empty without a file', async () => {
    directory = await mkdtemp(join(tmpdir(), 'openaos-applied-'));
    expect(await readAppliedState(join(directory, 'none.json'), 'AA:BB')).toEqual({ identity: 'AA:BB', images: {} });
  });
});
