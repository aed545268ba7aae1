import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SERVICE_CONFIG_MEDIA_TYPE } from '@openaos/config';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store.js';
import { buildServiceImage } from './build-image.js';
import { parseSourceDateEpoch } from './source-date-epoch.js';
import { serializeCanonicalJson } from './canonical-json.js';
import { makeEntries, makeServiceConfig, run, SAMPLE_TREE } from './testing/fixtures.js';

const CREATED = '2026-11-25T12:00:00.000Z';
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'openaos-build-image-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe('buildServiceImage', () => {
  it('writes layer, image config, service_config.json and an aosService manifest', async () => {
    const store = new BlobStore(join(root, 'store'));
    const config = makeServiceConfig();
    let progress = 0;
    const built = await buildServiceImage({
      config,
      entries: makeEntries(SAMPLE_TREE),
      created: CREATED,
      store,
      onProgress: (bytes) => (progress = bytes),
    });

    const { manifest } = built;
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(manifest.aosService.mediaType).toBe(SERVICE_CONFIG_MEDIA_TYPE);
    expect(manifest.layers).toHaveLength(1);
    expect(manifest.layers[0]?.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');

    // The manifest blob is the canonical serialisation, and its digest is what we return.
    const manifestBytes = await readFile(store.pathOf(built.manifestDigest));
    expect(manifestBytes.toString()).toBe(serializeCanonicalJson(manifest));
    expect(sha256(manifestBytes)).toBe(built.manifestDigest);
    expect(manifestBytes.length).toBe(built.manifestSize);

    // Layer: digest of the gzip, diff_id of the tar inside it.
    const layerBytes = await readFile(store.pathOf(built.layerDigest));
    expect(sha256(layerBytes)).toBe(built.layerDigest);
    expect(layerBytes.length).toBe(manifest.layers[0]?.size);
    const tar = gunzipSync(layerBytes);
    expect(sha256(tar)).toBe(built.diffId);
    expect(progress).toBe(tar.length);

    // Image config: only the fields the unit honours.
    const imageConfig = JSON.parse((await readFile(store.pathOf(manifest.config.digest))).toString()) as Record<
      string,
      unknown
    >;
    expect(imageConfig).toEqual(built.imageConfig);
    expect(imageConfig.architecture).toBe('arm64');
    expect(imageConfig.os).toBe('linux');
    expect(imageConfig.rootfs).toEqual({ type: 'layers', diff_ids: [built.diffId] });
    const runConfig = imageConfig.config as Record<string, unknown>;
    expect(runConfig.Cmd).toEqual(['python3', '/usr/bin/services/hello_world.py', '--greeting', 'hello world']);
    expect(runConfig.WorkingDir).toBe('/usr/bin/services');
    expect(runConfig.Env).toEqual(['GREETING=hello', 'LANG=C.UTF-8']);
    expect(runConfig.ExposedPorts).toEqual({ '8080/tcp': {} });
    for (const ignored of ['User', 'Entrypoint', 'Volumes', 'StopSignal'])
      expect(runConfig).not.toHaveProperty(ignored);

    const serviceConfig = JSON.parse((await readFile(store.pathOf(manifest.aosService.digest))).toString()) as Record<
      string,
      unknown
    >;
    expect(serviceConfig).toEqual(built.serviceConfig);
    expect(serviceConfig.created).toBe(CREATED);

    // The layer tar holds exactly our tree, owned by root, modes and link kept.
    const listing = await run('tar', ['-tvzf', store.pathOf(built.layerDigest), '--numeric-owner']);
    const lines = listing.trim().split('\n');
    expect(lines.map((line) => line.split(/\s+/).slice(5).join(' '))).toEqual([
      'etc/',
      'etc/hello.cfg',
      'usr/',
      'usr/bin/',
      'usr/bin/services/',
      'usr/bin/services/hello_world.py',
      'usr/bin/services/hello -> hello_world.py',
    ]);
    expect(lines.every((line) => line.split(/\s+/)[1] === '0/0')).toBe(true);
    expect(lines[5]).toMatch(/^-rwxr-xr-x /);
    expect(await readdir(join(store.root, 'tmp'))).toEqual([]);
  });

  it('is deterministic: the same package gives the same digests, other content another', async () => {
    const config = makeServiceConfig();
    const first = await buildServiceImage({
      config,
      entries: makeEntries(SAMPLE_TREE),
      created: CREATED,
      store: new BlobStore(join(root, 'a')),
    });
    const second = await buildServiceImage({
      config,
      entries: makeEntries(SAMPLE_TREE),
      created: CREATED,
      store: new BlobStore(join(root, 'b')),
    });
    expect(second.manifestDigest).toBe(first.manifestDigest);
    expect(second.layerDigest).toBe(first.layerDigest);
    expect(second.diffId).toBe(first.diffId);

    const changed = SAMPLE_TREE.map((entry) =>
      entry.name === 'etc/hello.cfg' ? { ...entry, content: 'greeting = bye\n' } : entry,
    );
    const third = await buildServiceImage({
      config,
      entries: makeEntries(changed),
      created: CREATED,
      store: new BlobStore(join(root, 'c')),
    });
    expect(third.diffId).not.toBe(first.diffId);
    expect(third.manifestDigest).not.toBe(first.manifestDigest);
  });

  it('takes entries read from a real tar with @openaos/archive', async () => {
    const { readTarEntries } = await import('@openaos/archive');
    const { createReadStream } = await import('node:fs');
    const { mkdir, writeFile, symlink } = await import('node:fs/promises');
    const source = join(root, 'src');
    await mkdir(join(source, 'usr/bin/services'), { recursive: true });
    await writeFile(join(source, 'usr/bin/services/hello_world.py'), 'print("hi")\n', { mode: 0o755 });
    await symlink('hello_world.py', join(source, 'usr/bin/services/hello'));
    const tarFile = join(root, 'src.tar.gz');
    await run('tar', ['-czf', tarFile, '-C', source, '--sort=name', 'usr']);

    const store = new BlobStore(join(root, 'store'));
    const built = await buildServiceImage({
      config: makeServiceConfig(),
      entries: readTarEntries(createReadStream(tarFile)),
      created: CREATED,
      store,
    });
    const listing = await run('tar', ['-tzf', store.pathOf(built.layerDigest)]);
    expect(listing.trim().split('\n')).toEqual([
      'usr/',
      'usr/bin/',
      'usr/bin/services/',
      'usr/bin/services/hello',
      'usr/bin/services/hello_world.py',
    ]);
  });

  it('fails with the source error and leaves no partial blob when the entries fail', async () => {
    const store = new BlobStore(join(root, 'store'));
    async function* failing() {
      yield* makeEntries(SAMPLE_TREE.slice(0, 2));
      throw new Error('package entry hash mismatch');
    }
    await expect(
      buildServiceImage({ config: makeServiceConfig(), entries: failing(), created: CREATED, store }),
    ).rejects.toThrow('package entry hash mismatch');
    expect(await readdir(join(store.root, 'tmp'))).toEqual([]);
    expect(await readdir(join(store.root, 'blobs', 'sha256'))).toEqual([]);
  });

  it('refuses to build a layer holding a whiteout name', async () => {
    const store = new BlobStore(join(root, 'store'));
    const tree = [...SAMPLE_TREE, { name: 'etc/.wh.hello.cfg', content: '' }];
    await expect(
      buildServiceImage({ config: makeServiceConfig(), entries: makeEntries(tree), created: CREATED, store }),
    ).rejects.toMatchObject({ code: 'whiteout', entry: 'etc/.wh.hello.cfg' });
    expect(await readdir(join(store.root, 'tmp'))).toEqual([]);
  });

  it('refuses a created time that is not a date', async () => {
    const store = new BlobStore(join(root, 'store'));
    await expect(
      buildServiceImage({ config: makeServiceConfig(), entries: makeEntries([]), created: 'yesterday', store }),
    ).rejects.toMatchObject({ code: 'bad-config' });
  });
});

describe('the created time of an image', () => {
  it("is the package's signing time, or SOURCE_DATE_EPOCH when the builder gives it; never the clock", async () => {
    const build = async (name: string, sourceDateEpoch?: Date) => {
      const store = new BlobStore(join(root, name));
      const built = await buildServiceImage({
        config: makeServiceConfig(),
        entries: makeEntries(SAMPLE_TREE),
        created: CREATED,
        sourceDateEpoch,
        store,
      });
      return { built, store };
    };
    const signed = await build('signed');
    expect(signed.built.imageConfig.created).toBe(CREATED);
    expect(signed.built.serviceConfig.created).toBe(CREATED);
    // Built again later (another machine, the cloud): the same image.
    expect((await build('again')).built.manifestDigest).toBe(signed.built.manifestDigest);

    const epoch = parseSourceDateEpoch('1767225600');
    const overridden = await build('epoch', epoch);
    expect(overridden.built.imageConfig.created).toBe('2026-01-01T00:00:00.000Z');
    expect(overridden.built.serviceConfig.created).toBe('2026-01-01T00:00:00.000Z');
    // Written into the stored blobs too, and only the created time differs: same layer.
    const storedConfig = JSON.parse(
      (await overridden.store.readBuffer(overridden.built.manifest.config.digest)).toString(),
    ) as { created?: string };
    expect(storedConfig.created).toBe('2026-01-01T00:00:00.000Z');
    expect(overridden.built.layerDigest).toBe(signed.built.layerDigest);
    expect(overridden.built.manifestDigest).not.toBe(signed.built.manifestDigest);
    expect((await build('epoch-again', epoch)).built.manifestDigest).toBe(overridden.built.manifestDigest);
  });

  it('reads SOURCE_DATE_EPOCH as whole seconds since 1970 and refuses anything else', () => {
    expect(parseSourceDateEpoch(undefined)).toBeUndefined();
    expect(parseSourceDateEpoch('')).toBeUndefined();
    expect(parseSourceDateEpoch('0')?.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(parseSourceDateEpoch(' 1767225600\n')?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    for (const value of ['-1', '1.5', '1e9', 'yesterday', '2026-01-01', '0x10', '9999999999999']) {
      expect(() => parseSourceDateEpoch(value), value).toThrow(
        expect.objectContaining({ code: 'bad-config', message: expect.stringContaining('SOURCE_DATE_EPOCH') }),
      );
    }
  });
});
