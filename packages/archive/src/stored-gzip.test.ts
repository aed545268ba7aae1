import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoredGzip } from './stored-gzip.js';

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'archive-stored-gzip-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function store(data: Buffer, chunkSize: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += chunkSize)
    chunks.push(data.subarray(offset, offset + chunkSize));
  const output: Buffer[] = [];
  for await (const chunk of Readable.from(chunks).pipe(createStoredGzip())) output.push(chunk as Buffer);
  return Buffer.concat(output);
}

describe('createStoredGzip', () => {
  it('writes a gzip that zlib and GNU gzip read back, 5 bytes per 65,535-byte block plus header and trailer', async () => {
    const data = randomBytes(3 * 65_535 + 1234);
    const stored = await store(data, 100_000);
    expect(gunzipSync(stored)).toEqual(data);
    expect(stored.length).toBe(10 + data.length + 4 * 5 + 8);
    const path = join(workDir, 'sample.gz');
    await writeFile(path, stored);
    expect(execFileSync('gzip', ['-dc', path])).toEqual(data);
    expect(execFileSync('gzip', ['-t', path]).length).toBe(0);
  });

  it('gives the same bytes whatever the chunking, exact block multiples and empty input included', async () => {
    for (const length of [0, 1, 65_535, 2 * 65_535, 200_000]) {
      const data = randomBytes(length);
      const reference = await store(data, 65_536);
      expect(gunzipSync(reference)).toEqual(data);
      for (const chunkSize of [1000, 65_535, 70_001]) expect(await store(data, chunkSize)).toEqual(reference);
    }
  });
});
