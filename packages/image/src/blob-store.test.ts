import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store.js';
import { digestOf } from './digest.js';
import { ImageError } from './errors.js';

let root: string;
let store: BlobStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'openaos-blob-store-'));
  store = new BlobStore(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('BlobStore', () => {
  it('stores a stream under its sha256 and reads it back', async () => {
    const data = Buffer.from('hello blob');
    const blob = await store.put(Readable.from([data.subarray(0, 3), data.subarray(3)]));
    expect(blob).toEqual({ digest: digestOf(data), size: data.length });
    expect(store.pathOf(blob.digest)).toBe(join(root, 'blobs', 'sha256', blob.digest.slice(7)));
    expect(await readFile(store.pathOf(blob.digest))).toEqual(data);
    expect(await readAll(store.get(blob.digest))).toEqual(data);
    expect(await store.has(blob.digest)).toBe(true);
    expect(await store.verify(blob.digest)).toEqual(blob);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('refuses content that does not match the expected digest, leaving nothing behind', async () => {
    const wrong = digestOf('something else');
    const error = await store.put(Buffer.from('actual content'), { digest: wrong }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect((error as ImageError).code).toBe('digest-mismatch');
    expect(await store.has(wrong)).toBe(false);
    expect(await store.has(digestOf('actual content'))).toBe(false);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('refuses content of the wrong size, including a too-long stream cut short', async () => {
    const data = Buffer.from('0123456789');
    await expect(store.put(data, { size: 9 })).rejects.toMatchObject({ code: 'digest-mismatch' });
    await expect(store.put(data, { size: 11 })).rejects.toMatchObject({ code: 'digest-mismatch' });
    expect(await store.put(data, { size: 10, digest: digestOf(data) })).toEqual({ digest: digestOf(data), size: 10 });
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('removes the temp file when the source stream fails', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1000));
        this.destroy(new Error('network went away'));
      },
    });
    await expect(store.put(failing)).rejects.toThrow(/network went away/);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect(await readdir(join(root, 'blobs', 'sha256'))).toEqual([]);
  });

  it('detects a tampered blob in get, readBuffer and verify', async () => {
    const blob = await store.put(Buffer.from('{"original":true}'));
    await writeFile(store.pathOf(blob.digest), '{"original":false}');
    await expect(readAll(store.get(blob.digest))).rejects.toMatchObject({ code: 'digest-mismatch' });
    await expect(store.readBuffer(blob.digest)).rejects.toMatchObject({ code: 'digest-mismatch' });
    await expect(store.verify(blob.digest)).rejects.toMatchObject({ code: 'digest-mismatch' });
  });

  it('reports a missing blob as not-found everywhere', async () => {
    const missing = digestOf('never stored');
    expect(await store.has(missing)).toBe(false);
    await expect(readAll(store.get(missing))).rejects.toMatchObject({ code: 'not-found' });
    await expect(store.verify(missing)).rejects.toMatchObject({ code: 'not-found' });
    await expect(store.stat(missing)).rejects.toMatchObject({ code: 'not-found' });
    expect(await store.remove(missing)).toBe(false);
  });

  it('refuses digests that could name another path or algorithm', async () => {
    const hostile = [
      'sha256:../../../etc/passwd',
      `sha256:${'a'.repeat(63)}/`,
      `sha256:${'A'.repeat(64)}`,
      `sha512:${'a'.repeat(128)}`,
      `sha256:${'a'.repeat(64)}\n`,
      `sha256:${'a'.repeat(65)}`,
      'sha256:',
      '',
    ];
    for (const digest of hostile) {
      expect(() => store.pathOf(digest), digest).toThrow(expect.objectContaining({ code: 'invalid-digest' }) as Error);
      expect(() => store.get(digest)).toThrow(ImageError);
      await expect(store.has(digest)).rejects.toMatchObject({ code: 'invalid-digest' });
      await expect(store.remove(digest)).rejects.toMatchObject({ code: 'invalid-digest' });
      await expect(store.put(Buffer.from('x'), { digest })).rejects.toMatchObject({ code: 'invalid-digest' });
    }
  });

  it('lists and removes blobs, ignoring stray files', async () => {
    const first = await store.put(Buffer.from('one'));
    const second = await store.put(Buffer.from('two'));
    await writeFile(join(root, 'blobs', 'sha256', 'not-a-digest'), 'x');
    const listed: string[] = [];
    for await (const digest of store.list()) listed.push(digest);
    expect(listed).toEqual([first.digest, second.digest].sort());
    expect(await store.remove(first.digest)).toBe(true);
    expect(await store.has(first.digest)).toBe(false);
    const empty = new BlobStore(join(root, 'nothing-here'));
    for await (const digest of empty.list()) throw new Error(`unexpected ${digest}`);
  });

  it('readBuffer refuses a blob larger than allowed without reading it', async () => {
    const blob = await store.put(Buffer.alloc(2048));
    await expect(store.readBuffer(blob.digest, { maxBytes: 1024 })).rejects.toMatchObject({ code: 'too-large' });
  });
});
