import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store.js';
import { buildServiceImage, type BuiltServiceImage } from './build-image.js';
import { extractLayer } from './extract-layer.js';
import { MEDIA_TYPES } from './media-types.js';
import { makeEntries, makeServiceConfig, run, SAMPLE_TREE } from './testing/fixtures.js';
import type { Descriptor } from './types.js';

let root: string;
let store: BlobStore;
let built: BuiltServiceImage;
let layer: Descriptor;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'openaos-extract-layer-'));
  store = new BlobStore(join(root, 'store'));
  built = await buildServiceImage({
    config: makeServiceConfig(),
    entries: makeEntries(SAMPLE_TREE),
    created: '2026-11-25T12:00:00Z',
    store,
  });
  layer = built.manifest.layers[0]!;
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A gzip tar made by python's tarfile, which writes whatever names we ask for. */
async function putPythonTar(
  members: { name: string; type?: 'file' | 'symlink'; linkname?: string; content?: string }[],
): Promise<Descriptor> {
  const script = `
import io, json, sys, tarfile
members = json.loads(sys.argv[2])
with tarfile.open(sys.argv[1], 'w:gz') as tar:
    for m in members:
        info = tarfile.TarInfo(m['name'])
        if m.get('type') == 'symlink':
            info.type = tarfile.SYMTYPE
            info.linkname = m['linkname']
            tar.addfile(info)
        else:
            data = m.get('content', '').encode()
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
`;
  const file = join(root, `crafted-${Math.random().toString(16).slice(2)}.tar.gz`);
  await run('python3', ['-c', script, file, JSON.stringify(members)]);
  const blob = await store.put(await readFile(file));
  return { mediaType: MEDIA_TYPES.layerGzip, ...blob };
}

describe('extractLayer', () => {
  it('unpacks the rootfs layer with contents, modes and links', async () => {
    const destination = join(root, 'rootfs');
    const result = await extractLayer(store, layer, destination);
    expect(result.entries).toBe(SAMPLE_TREE.length);
    expect(await readFile(join(destination, 'etc/hello.cfg'), 'utf8')).toBe('greeting = hello\n');
    expect((await lstat(join(destination, 'usr/bin/services/hello_world.py'))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(destination, 'usr/bin/services/hello'))).toBe('hello_world.py');
    expect((await readdir(root)).sort()).toEqual(['rootfs', 'store']);
  });

  it('accepts an existing empty destination but refuses a non-empty one', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    await extractLayer(store, layer, empty);
    expect(await readFile(join(empty, 'etc/hello.cfg'), 'utf8')).toBe('greeting = hello\n');
    await expect(extractLayer(store, layer, empty)).rejects.toMatchObject({ code: 'destination-exists' });
  });

  it('refuses a blob swapped for another valid layer and leaves nothing behind', async () => {
    // A complete, well-formed layer under the wrong name: only the digest check can catch it.
    const other = await putPythonTar([{ name: 'etc/evil.cfg', content: 'owned\n' }]);
    await writeFile(store.pathOf(layer.digest), await readFile(store.pathOf(other.digest)));
    const destination = join(root, 'rootfs');
    await expect(extractLayer(store, { ...layer, size: other.size }, destination)).rejects.toMatchObject({
      code: 'digest-mismatch',
    });
    expect((await readdir(root)).filter((name) => name !== 'store' && !name.startsWith('crafted-'))).toEqual([]);
  });

  it('catches tampering after the end-of-archive marker of an uncompressed layer', async () => {
    const tarFile = join(root, 'plain.tar');
    await run('tar', ['-cf', tarFile, '-C', join(root, 'store'), 'blobs']);
    const original = await readFile(tarFile);
    const plain: Descriptor = { mediaType: MEDIA_TYPES.layerTar, ...(await store.put(original)) };
    // Same entries, extra bytes after the two zero blocks: a tar reader may never look at them.
    const padded = Buffer.concat([original, Buffer.alloc(10240, 0x41)]);
    await writeFile(store.pathOf(plain.digest), padded);
    const destination = join(root, 'plain-rootfs');
    await expect(extractLayer(store, { ...plain, size: padded.length }, destination)).rejects.toMatchObject({
      code: 'digest-mismatch',
    });
    await expect(lstat(destination)).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(store.pathOf(plain.digest), original);
    expect((await extractLayer(store, plain, destination)).entries).toBeGreaterThan(2);
  });

  it('refuses a blob with a flipped byte', async () => {
    const bytes = await readFile(store.pathOf(layer.digest));
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await writeFile(store.pathOf(layer.digest), bytes);
    const destination = join(root, 'rootfs');
    const error = await extractLayer(store, layer, destination).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ImageError', code: 'digest-mismatch' });
    await expect(lstat(destination)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(root)).sort()).toEqual(['store']);
  });

  it('refuses a layer with whiteouts, naming the entry', async () => {
    const whiteout = await putPythonTar([{ name: 'etc/keep.cfg', content: 'x' }, { name: 'etc/.wh.hello.cfg' }]);
    const destination = join(root, 'rootfs');
    await expect(extractLayer(store, whiteout, destination)).rejects.toMatchObject({
      code: 'whiteout',
      entry: 'etc/.wh.hello.cfg',
      message: expect.stringContaining('etc/.wh.hello.cfg') as string,
    });
    const opaque = await putPythonTar([{ name: 'etc/.wh..wh..opq' }]);
    await expect(extractLayer(store, opaque, destination)).rejects.toMatchObject({ code: 'whiteout' });
    await expect(lstat(destination)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses entries and links escaping the destination', async () => {
    const escaping = await putPythonTar([{ name: '../escaped.txt', content: 'x' }]);
    await expect(extractLayer(store, escaping, join(root, 'a'))).rejects.toMatchObject({
      code: 'unsafe-layer',
      entry: expect.stringContaining('escaped') as string,
    });
    const linkOut = await putPythonTar([
      { name: 'etc', type: 'symlink', linkname: '../../..' },
      { name: 'etc/passwd', content: 'x' },
    ]);
    await expect(extractLayer(store, linkOut, join(root, 'b'))).rejects.toMatchObject({ code: 'unsafe-layer' });
    expect((await readdir(root)).filter((name) => !name.startsWith('crafted-')).sort()).toEqual(['store']);
  });

  it('enforces limits', async () => {
    await expect(extractLayer(store, layer, join(root, 'rootfs'), { limits: { maxEntries: 2 } })).rejects.toMatchObject(
      { code: 'unsafe-layer' },
    );
  });

  it('accepts only OCI layer media types', async () => {
    await expect(
      extractLayer(store, { ...layer, mediaType: 'application/vnd.aos.image.layer.v1.tar' }, join(root, 'rootfs')),
    ).rejects.toMatchObject({ code: 'unsupported-media-type' });
    await expect(
      extractLayer(store, { ...layer, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }, join(root, 'rootfs')),
    ).rejects.toMatchObject({ code: 'unsupported-media-type' });
  });

  it('reports a missing layer blob as not-found', async () => {
    await store.remove(layer.digest);
    await expect(extractLayer(store, layer, join(root, 'rootfs'))).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses a malformed digest before touching the file system', async () => {
    await expect(
      extractLayer(store, { ...layer, digest: 'sha256:../../../etc/shadow' }, join(root, 'rootfs')),
    ).rejects.toMatchObject({ code: 'invalid-digest' });
  });
});
