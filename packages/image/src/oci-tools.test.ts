import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store.js';
import { buildServiceImage, type BuiltServiceImage } from './build-image.js';
import { digestOf } from './digest.js';
import { writeImageArchive } from './write-archive.js';
import { writeImageLayout } from './write-layout.js';
import { makeEntries, makeServiceConfig, run, SAMPLE_TREE } from './testing/fixtures.js';

// Our images opened by the standard tools (umoci, skopeo, oci-image-tool), not by our own reader.
let root: string;
let store: BlobStore;
let built: BuiltServiceImage;
let layout: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'openaos-oci-tools-'));
  store = new BlobStore(join(root, 'store'));
  built = await buildServiceImage({
    config: makeServiceConfig(),
    entries: makeEntries(SAMPLE_TREE),
    created: '2026-11-25T12:00:00Z',
    store,
  });
  layout = join(root, 'image');
  await writeImageLayout(store, built.manifestDigest, layout);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('image layout read by standard tools', () => {
  it('holds the seed archive layout and the OCI layout files', async () => {
    expect((await readdir(layout)).sort()).toEqual(['blobs', 'index.json', 'manifest.json', 'oci-layout']);
    expect(JSON.parse(await readFile(join(layout, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const manifestJson = await readFile(join(layout, 'manifest.json'));
    expect(digestOf(manifestJson)).toBe(built.manifestDigest);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
      manifests: { digest: string; annotations: Record<string, string> }[];
    };
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]?.digest).toBe(built.manifestDigest);
    expect(index.manifests[0]?.annotations['org.opencontainers.image.ref.name']).toBe('latest');
    const blobs = (await readdir(join(layout, 'blobs', 'sha256'))).sort();
    const expected = [
      built.manifestDigest,
      built.manifest.config.digest,
      built.manifest.aosService.digest,
      built.layerDigest,
    ]
      .map((d) => d.slice(7))
      .sort();
    expect(blobs).toEqual(expected);
  });

  it('umoci unpacks it into a bundle with our files, Cmd, Env and Cwd', async () => {
    const bundle = join(root, 'bundle');
    await run('umoci', ['unpack', '--rootless', '--image', `${layout}:latest`, bundle]);
    expect(await readFile(join(bundle, 'rootfs/etc/hello.cfg'), 'utf8')).toBe('greeting = hello\n');
    expect(await readFile(join(bundle, 'rootfs/usr/bin/services/hello_world.py'), 'utf8')).toBe(
      'print("hello world")\n',
    );
    const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as {
      process: { args: string[]; env: string[]; cwd: string };
    };
    expect(spec.process.args).toEqual(['python3', '/usr/bin/services/hello_world.py', '--greeting', 'hello world']);
    expect(spec.process.env).toEqual(expect.arrayContaining(['GREETING=hello', 'LANG=C.UTF-8']));
    expect(spec.process.cwd).toBe('/usr/bin/services');
  });

  it('skopeo inspects it: architecture, os and digest', async () => {
    const info = JSON.parse(await run('skopeo', ['inspect', `oci:${layout}:latest`])) as {
      Digest: string;
      Architecture: string;
      Os: string;
      Layers: string[];
      Env: string[];
    };
    expect(info.Digest).toBe(built.manifestDigest);
    expect(info.Architecture).toBe('arm64');
    expect(info.Os).toBe('linux');
    expect(info.Layers).toEqual([built.layerDigest]);
    expect(info.Env).toEqual(['GREETING=hello', 'LANG=C.UTF-8']);
  });

  // oci-image-tool 1.0.0-rc1 has no `--type imageLayout` ("type imageLayout unimplemented"): an
  // image layout is validated with `--type image`, which autodetects the layout and checks the
  // index, manifest, config and layer digests and sizes. The extra `aosService` field and the
  // extra manifest.json file are accepted (a manifest with extra fields is valid OCI).
  it('oci-image-tool validates it as an image layout (extra aosService field and manifest.json included)', async () => {
    const output = await run('oci-image-tool', ['validate', '--type', 'image', '--ref', 'name=latest', layout]);
    expect(output).toMatch(/reference \[name=latest\]: OK/);
    expect(output).toMatch(/Validation succeeded/);
    expect(await run('oci-image-tool', ['validate', '--type', 'manifest', join(layout, 'manifest.json')])).toMatch(
      /Validation succeeded/,
    );
    expect(
      await run('oci-image-tool', [
        'validate',
        '--type',
        'config',
        join(layout, 'blobs', 'sha256', built.manifest.config.digest.slice(7)),
      ]),
    ).toMatch(/Validation succeeded/);
  });

  it('oci-image-tool catches a tampered blob in a copy of the layout (so the check above can fail)', async () => {
    const copy = join(root, 'tampered');
    await run('cp', ['-r', layout, copy]);
    const configPath = join(copy, 'blobs', 'sha256', built.manifest.config.digest.slice(7));
    await rm(configPath);
    await writeFile(
      configPath,
      (await readFile(join(layout, 'blobs', 'sha256', built.manifest.config.digest.slice(7)), 'utf8')).replace(
        'arm64',
        'amd64',
      ),
    );
    await expect(run('oci-image-tool', ['validate', '--type', 'image', '--ref', 'name=latest', copy])).rejects.toThrow(
      /config validation failed/,
    );
  });

  it('writes the same tree as one deterministic tar archive that tools open once unpacked', async () => {
    const first = await writeImageArchive(store, built.manifestDigest, join(root, 'image.tar'));
    const second = await writeImageArchive(store, built.manifestDigest, join(root, 'image-again.tar'));
    expect(second.digest).toBe(first.digest);
    expect(digestOf(await readFile(first.path))).toBe(first.digest);
    const members = (await run('tar', ['-tf', first.path])).trim().split('\n');
    expect(members).toEqual([
      'blobs/',
      'blobs/sha256/',
      ...(await readdir(join(layout, 'blobs', 'sha256'))).sort().map((hex) => `blobs/sha256/${hex}`),
      'index.json',
      'manifest.json',
      'oci-layout',
    ]);
    const unpacked = join(root, 'unpacked');
    await run('mkdir', ['-p', unpacked]);
    await run('tar', ['-xf', first.path, '-C', unpacked]);
    const info = JSON.parse(await run('skopeo', ['inspect', `oci:${unpacked}:latest`])) as { Digest: string };
    expect(info.Digest).toBe(built.manifestDigest);
  });

  it('writes the layout into the store itself and keeps other tags in index.json', async () => {
    await writeImageLayout(store, built.manifestDigest, store.root, { tag: '1.0.0' });
    await writeImageLayout(store, built.manifestDigest, store.root, { tag: 'stable' });
    const info = JSON.parse(await run('skopeo', ['inspect', `oci:${store.root}:1.0.0`])) as { Digest: string };
    expect(info.Digest).toBe(built.manifestDigest);
    const index = JSON.parse(await readFile(join(store.root, 'index.json'), 'utf8')) as {
      manifests: { annotations: Record<string, string> }[];
    };
    expect(index.manifests.map((m) => m.annotations['org.opencontainers.image.ref.name'])).toEqual(['1.0.0', 'stable']);
    await expect(writeImageLayout(store, built.manifestDigest, store.root, { tag: '../x' })).rejects.toMatchObject({
      code: 'bad-manifest',
    });
  });
});
