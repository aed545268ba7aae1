import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store.js';
import { buildServiceImage } from './build-image.js';
import { extractLayer } from './extract-layer.js';
import { readServiceImage } from './read-image.js';
import { makeEntries, makeServiceConfig, SAMPLE_TREE, type EntrySpec } from './testing/fixtures.js';
import type { Descriptor } from './types.js';
import { writeImageArchive } from './write-archive.js';

/**
 * A blob that fails its digest check must fail the read that asked for it, once, and nothing
 * else: no error may surface later as an uncaught exception or unhandled rejection, whichever
 * of the archive reader, the consumer or the digest check notices first. Which one does
 * depends on timing, so every corruption is read many times, in every way the image code
 * reads blobs, with process-level listeners on for the whole loop.
 */

const CORRUPTIONS: { name: string; corrupt: (bytes: Buffer) => Buffer }[] = [
  { name: 'a flipped byte in the middle', corrupt: (bytes) => flip(bytes, Math.floor(bytes.length / 2)) },
  { name: 'a flipped byte in the gzip header', corrupt: (bytes) => flip(bytes, 0) },
  { name: 'a flipped byte in the gzip trailer (CRC)', corrupt: (bytes) => flip(bytes, bytes.length - 6) },
  { name: 'the last third cut off', corrupt: (bytes) => bytes.subarray(0, Math.floor((bytes.length * 2) / 3)) },
  { name: 'garbage appended', corrupt: (bytes) => Buffer.concat([bytes, Buffer.alloc(4096, 0x5a)]) },
  { name: 'all zeros', corrupt: (bytes) => Buffer.alloc(bytes.length) },
  { name: 'random bytes', corrupt: (bytes) => randomBytes(bytes.length) },
];

function flip(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0xff;
  return copy;
}

/**
 * One layer that fits in a single read, and one (incompressible) that flows in 16 chunks with
 * backpressure; `rounds` is how often each corruption is read each way.
 */
const TREES: { name: string; tree: EntrySpec[]; rounds: number }[] = [
  { name: 'small layer', tree: SAMPLE_TREE, rounds: 12 },
  {
    name: '1 MiB layer',
    tree: [...SAMPLE_TREE, { name: 'usr/share/blob.bin', content: randomBytes(1024 * 1024) }],
    rounds: 5,
  },
];

interface Read {
  name: string;
  /** The error code the read must fail with. */
  code: string;
  read: (store: BlobStore, layer: Descriptor, manifestDigest: string) => Promise<unknown>;
}

const READS: Read[] = [
  { name: 'extractLayer', code: 'digest-mismatch', read: (store, layer) => extractLayer(store, layer, newPath('x-')) },
  { name: 'verify', code: 'digest-mismatch', read: (store, layer) => store.verify(layer.digest) },
  {
    name: 'readBuffer',
    code: 'digest-mismatch',
    read: (store, layer) => store.readBuffer(layer.digest, { maxBytes: 8 * 1024 * 1024 }),
  },
  {
    name: 'pipeline into a slow writer',
    code: 'digest-mismatch',
    read: (store, layer) =>
      pipeline(store.get(layer.digest), new Writable({ write: (_chunk, _encoding, done) => setImmediate(done) })),
  },
  {
    // As extractTar does (it makes its folder first): the stream waits a while before it is read.
    name: 'a consumer that starts late',
    code: 'digest-mismatch',
    read: async (store, layer) => {
      const stream = store.get(layer.digest);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await pipeline(stream, new Writable({ write: (_chunk, _encoding, done) => done() }));
    },
  },
  {
    // Gives up on the first chunk, long before the digest check: that check must then stay silent.
    name: 'a consumer that fails first',
    code: 'consumer-gave-up',
    read: (store, layer) =>
      pipeline(
        store.get(layer.digest),
        new Transform({
          transform: (_chunk, _encoding, done) =>
            done(Object.assign(new Error('gave up'), { code: 'consumer-gave-up' })),
        }),
        new Writable({ write: (_chunk, _encoding, done) => done() }),
      ),
  },
  {
    // The layer is a tar member body here, taken up by the writer after its header.
    name: 'writeImageArchive',
    code: 'digest-mismatch',
    read: (store, _layer, manifestDigest) => writeImageArchive(store, manifestDigest, newPath('archive-', '.tar')),
  },
  {
    // Copied into another store (as the cloud moves a built image into its storage): one
    // store's read stream is the other's put source.
    name: 'put into another store',
    code: 'digest-mismatch',
    read: (store, layer) => new BlobStore(newPath('copy-')).put(store.get(layer.digest), { digest: layer.digest }),
  },
];

let root: string;
const escaped: unknown[] = [];
const recordEscaped = (error: unknown): void => {
  escaped.push(error);
};

function newPath(prefix: string, suffix = ''): string {
  return join(root, `${prefix}${randomBytes(6).toString('hex')}${suffix}`);
}

/** Give anything emitted late (a check that fires after its reader gave up) time to reach the process listeners. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 5));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'openaos-corrupt-blob-'));
  process.on('uncaughtException', recordEscaped);
  process.on('unhandledRejection', recordEscaped);
});
afterAll(async () => {
  process.off('uncaughtException', recordEscaped);
  process.off('unhandledRejection', recordEscaped);
  await rm(root, { recursive: true, force: true });
});

describe('reading corrupt blobs', () => {
  for (const { name: treeName, tree, rounds } of TREES) {
    it(`fails every read of a corrupt ${treeName} once, with its own error, and nothing escapes`, async () => {
      escaped.length = 0;
      const store = new BlobStore(newPath('store-'));
      const built = await buildServiceImage({
        config: makeServiceConfig(),
        entries: makeEntries(tree),
        created: '2026-11-25T12:00:00Z',
        store,
      });
      const layer = built.manifest.layers[0];
      if (layer === undefined) throw new Error('the built image has no layer');
      const original = await readFile(store.pathOf(layer.digest));
      const outcomes = new Set<string>();

      for (let round = 0; round < rounds; round++) {
        for (const { name: corruptionName, corrupt } of CORRUPTIONS) {
          const bytes = corrupt(original);
          await writeFile(store.pathOf(layer.digest), bytes);
          for (const { name: readName, code, read } of READS) {
            const error = await read(store, { ...layer, size: bytes.length }, built.manifestDigest).then(
              () => undefined,
              (thrown: unknown) => thrown as { code?: unknown },
            );
            if (error?.code !== code) {
              outcomes.add(`${corruptionName} / ${readName}: ${String(error?.code ?? 'no error')}, expected ${code}`);
            }
          }
        }
        await settle();
      }

      // Repaired, the same image reads and extracts again: the failures left nothing stuck.
      await writeFile(store.pathOf(layer.digest), original);
      await readServiceImage(store, built.manifestDigest);
      expect((await extractLayer(store, layer, newPath('repaired-'))).entries).toBe(tree.length);
      await settle();

      expect(escaped).toEqual([]);
      expect([...outcomes]).toEqual([]);
      // Failed extractions and archives left no staging folders or partial files.
      expect((await readdir(root)).filter((name) => name.startsWith('.') || name.includes('partial'))).toEqual([]);
    });
  }
});
