import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store.js';
import { buildServiceImage, type BuiltServiceImage } from './build-image.js';
import { serializeCanonicalJson } from './canonical-json.js';
import { digestOf } from './digest.js';
import { readServiceImage } from './read-image.js';
import { makeEntries, makeServiceConfig, SAMPLE_TREE } from './testing/fixtures.js';

let root: string;
let store: BlobStore;
let built: BuiltServiceImage;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'openaos-read-image-'));
  store = new BlobStore(root);
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

/** Store a modified copy of the built manifest and return its digest. */
async function putManifest(change: (manifest: Record<string, unknown>) => void): Promise<string> {
  const manifest = structuredClone(built.manifest) as unknown as Record<string, unknown>;
  change(manifest);
  return (await store.put(Buffer.from(serializeCanonicalJson(manifest)))).digest;
}

describe('readServiceImage', () => {
  it('reads back what buildServiceImage wrote', async () => {
    const image = await readServiceImage(store, built.manifestDigest);
    expect(image.manifest).toEqual(built.manifest);
    expect(image.imageConfig).toEqual(built.imageConfig);
    expect(image.serviceConfig.created).toBe(built.serviceConfig.created);
    expect(image.manifestDigest).toBe(built.manifestDigest);
  });

  it('reports a missing manifest and a missing layer as not-found', async () => {
    await expect(readServiceImage(store, digestOf('no such manifest'))).rejects.toMatchObject({ code: 'not-found' });
    await store.remove(built.layerDigest);
    await expect(readServiceImage(store, built.manifestDigest)).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('layer 0') as string,
    });
  });

  it('refuses a tampered config or service config blob', async () => {
    await writeFile(store.pathOf(built.manifest.aosService.digest), '{"created":"2020-01-01T00:00:00Z"}');
    await expect(readServiceImage(store, built.manifestDigest)).rejects.toMatchObject({ code: 'digest-mismatch' });
  });

  it('refuses a manifest without aosService, with wrong media types, or without layers', async () => {
    const noAos = await putManifest((m) => delete m.aosService);
    await expect(readServiceImage(store, noAos)).rejects.toMatchObject({
      code: 'bad-manifest',
      message: expect.stringContaining('aosService') as string,
    });

    const index = await putManifest((m) => (m.mediaType = 'application/vnd.oci.image.index.v1+json'));
    await expect(readServiceImage(store, index)).rejects.toMatchObject({ code: 'unsupported-media-type' });

    const aosLayer = await putManifest(
      (m) => ((m.layers as { mediaType: string }[])[0]!.mediaType = 'application/vnd.aos.image.layer.v1.tar'),
    );
    await expect(readServiceImage(store, aosLayer)).rejects.toMatchObject({ code: 'unsupported-media-type' });

    const swapped = await putManifest(
      (m) => ((m.config as { mediaType: string }).mediaType = 'application/vnd.aos.service.config.v1+json'),
    );
    await expect(readServiceImage(store, swapped)).rejects.toMatchObject({ code: 'unsupported-media-type' });

    const noLayers = await putManifest((m) => (m.layers = []));
    await expect(readServiceImage(store, noLayers)).rejects.toMatchObject({ code: 'bad-manifest' });

    const badVersion = await putManifest((m) => (m.schemaVersion = 1));
    await expect(readServiceImage(store, badVersion)).rejects.toMatchObject({ code: 'bad-manifest' });

    const pathDigest = await putManifest((m) => ((m.config as { digest: string }).digest = 'sha256:../../etc/passwd'));
    await expect(readServiceImage(store, pathDigest)).rejects.toMatchObject({ code: 'bad-manifest' });
  });

  it('refuses a config blob that is valid JSON but not an image config', async () => {
    const bogus = await store.put(Buffer.from('{"hello":"world"}'));
    const manifest = await putManifest(
      (m) =>
        (m.config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: bogus.digest, size: bogus.size }),
    );
    await expect(readServiceImage(store, manifest)).rejects.toMatchObject({ code: 'bad-config' });
  });

  it('refuses a layer whose stored size differs from the manifest', async () => {
    const wrongSize = await putManifest((m) => ((m.layers as { size: number }[])[0]!.size += 1));
    await expect(readServiceImage(store, wrongSize)).rejects.toMatchObject({ code: 'digest-mismatch' });
  });
});
