import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadBlob, downloadPaths, type DownloadProgress } from './download-blob.js';

const content = Buffer.from(Array.from({ length: 100_000 }, (_unused, index) => index % 251));
const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;

describe('downloadBlob', () => {
  let server: Server;
  let base: string;
  let directory: string;
  const requests: Array<{ range?: string; authorization?: string }> = [];
  /** How the next request is answered. */
  let mode: 'normal' | 'cut' | 'ignore-range' | 'tampered' | 'forbidden' = 'normal';

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'openaos-download-'));
    server = createServer((request, response) => {
      requests.push({
        ...(request.headers.range ? { range: request.headers.range } : {}),
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      });
      const current = mode;
      mode = 'normal';
      if (current === 'forbidden') return response.writeHead(403).end();
      const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
      const body = current === 'tampered' ? Buffer.alloc(content.length, 7) : content;
      if (start > 0 && current !== 'ignore-range') {
        response.writeHead(206, {
          'content-range': `bytes ${start}-${content.length - 1}/${content.length}`,
          'content-length': content.length - start,
        });
        return response.end(body.subarray(start));
      }
      response.writeHead(200, { 'content-length': body.length });
      if (current === 'cut') return response.write(body.subarray(0, 30_000), () => response.destroy());
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await rm(directory, { recursive: true, force: true });
  });

  const download = (progress: DownloadProgress[] = []) =>
    downloadBlob(
      { digest, size: content.length, urls: [`${base}/api/v7/blobs/sha256/${digest.slice(7)}`] },
      {
        directory,
        authorize: (url) => `AosCert GET ${url.pathname}`,
        onProgress: (event) => progress.push(event),
      },
    );

  it('resumes an interrupted transfer with Range and verifies the whole', async () => {
    requests.length = 0;
    mode = 'cut';
    const progress: DownloadProgress[] = [];
    const path = await download(progress);
    expect(await readFile(path)).toEqual(content);
    expect(requests[0]?.range).toBeUndefined();
    expect(requests[1]?.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(requests[1]?.authorization).toBe(`AosCert GET /api/v7/blobs/sha256/${digest.slice(7)}`);
    expect(progress.map((event) => event.state)).toContain('interrupted');
    expect(progress.at(-1)).toMatchObject({ state: 'finished', downloadedBytes: content.length });
    await rm(path);
  });

  it('starts over when the server ignores the range (200)', async () => {
    const { partial } = downloadPaths(directory, digest);
    await mkdir(join(directory, 'partial'), { recursive: true });
    await writeFile(partial, Buffer.alloc(5000, 9));
    requests.length = 0;
    mode = 'ignore-range';
    const path = await download();
    expect(requests[0]?.range).toBe('bytes=5000-');
    expect(await readFile(path)).toEqual(content);
    await rm(path);
  });

  it('refuses content that does not match its digest and keeps nothing', async () => {
    mode = 'tampered';
    await expect(download()).rejects.toThrow(/does not match its digest/);
    const { blob, partial } = downloadPaths(directory, digest);
    await expect(stat(blob)).rejects.toThrow(/ENOENT/);
    await expect(stat(partial)).rejects.toThrow(/ENOENT/);
  });

  it('gives up on a refusal at once', async () => {
    requests.length = 0;
    mode = 'forbidden';
    await expect(download()).rejects.toThrow(/HTTP 403/);
    expect(requests).toHaveLength(1);
  });
});
