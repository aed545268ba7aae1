import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store.js';
import { buildServiceImage, type BuiltServiceImage } from './build-image.js';
import { makeEntries, makeServiceConfig, SAMPLE_TREE } from './testing/fixtures.js';
import { writeImageArchive } from './write-archive.js';

let root: string;
let store: BlobStore;
let built: BuiltServiceImage;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'openaos-write-archive-'));
  store = new BlobStore(join(root, 'store'));
  built = await buildServiceImage({
    config: makeServiceConfig(),
    entries: makeEntries(SAMPLE_TREE),
    created: '2026-11-25T12:00:00Z',
    store,
  });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('writeImageArchive', () => {
  it('refuses to archive a tampered layer and leaves no file behind', async () => {
    const layerPath = store.pathOf(built.layerDigest);
    const bytes = await readFile(layerPath);
    bytes[bytes.length - 9]! ^= 0x01; // same size, different digest: only the re-hash can tell
    await writeFile(layerPath, bytes);
    await expect(writeImageArchive(store, built.manifestDigest, join(root, 'image.tar'))).rejects.toMatchObject({
      code: 'digest-mismatch',
    });
    expect((await readdir(root)).sort()).toEqual(['store']);
  });

  it('refuses an invalid tag and an unknown manifest', async () => {
    await expect(
      writeImageArchive(store, built.manifestDigest, join(root, 'image.tar'), { tag: 'a/b' }),
    ).rejects.toMatchObject({ code: 'bad-manifest' });
    await expect(writeImageArchive(store, `sha256:${'0'.repeat(64)}`, join(root, 'image.tar'))).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});
