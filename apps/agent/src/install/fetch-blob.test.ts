import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore, digestOf } from '@openaos/image';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureBlob } from './fetch-blob.js';

let root: string;
let server: Server | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'openaos-fetch-blob-'));
});
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
  await rm(root, { recursive: true, force: true });
});

describe('ensureBlob', () => {
  it('refuses a source that sends more than maxBytes, stores nothing and drops the connection', async () => {
    // A mirror that sends 8 MiB (no Content-Length) for a blob whose size was not announced.
    const data = randomBytes(8 * 1024 * 1024);
    let responseClosed!: Promise<'closed'>;
    server = createServer((_request, response) => {
      responseClosed = new Promise((resolve) => response.on('close', () => resolve('closed')));
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(data);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const store = new BlobStore(join(root, 'store'));
    const digest = digestOf(data);

    await expect(
      ensureBlob(store, digest, [`http://127.0.0.1:${port}`], undefined, { maxBytes: 64 * 1024 }),
    ).rejects.toMatchObject({ code: 'fetch-failed', message: expect.stringContaining('more than 65536 bytes') });
    expect(await store.has(digest)).toBe(false);
    expect(await readdir(join(store.root, 'tmp'))).toEqual([]);
    // The refused download is torn down, not left paused with the socket open. The bound only
    // turns "never" into a failure; it closes at once when torn down.
    const outcome = await Promise.race([
      responseClosed,
      new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 10_000)),
    ]);
    expect(outcome).toBe('closed');
  });
});
