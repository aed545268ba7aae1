import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParallelGzip, type ParallelGzipOptions } from './parallel-gzip.js';

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'archive-gzip-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Text-like and random data mixed, so blocks both compress and do not. */
function sampleData(length: number): Buffer {
  const text = Buffer.from('OpenAos packs services into signed archives. '.repeat(Math.ceil(length / 90)));
  return Buffer.concat([text.subarray(0, length / 2), randomBytes(length / 4), text.subarray(0, length / 4)]);
}

async function compress(data: Buffer, chunkSize: number, options: ParallelGzipOptions): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += chunkSize)
    chunks.push(data.subarray(offset, offset + chunkSize));
  const output: Buffer[] = [];
  for await (const chunk of Readable.from(chunks).pipe(createParallelGzip(options))) output.push(chunk as Buffer);
  return Buffer.concat(output);
}

describe('createParallelGzip', () => {
  it('writes one gzip member that zlib, GNU gzip and Python read back', async () => {
    const data = sampleData(600_000);
    const compressed = await compress(data, 10_000, { blockSize: 64 * 1024 });
    expect(gunzipSync(compressed)).toEqual(data);
    expect(compressed.length).toBeLessThan(data.length * 0.5);
    const path = join(workDir, 'sample.gz');
    await writeFile(path, compressed);
    execFileSync('gzip', ['-t', path]);
    const pythonLength = execFileSync(
      'python3',
      ['-c', 'import gzip,sys; print(len(gzip.open(sys.argv[1]).read()))', path],
      { encoding: 'utf8' },
    );
    expect(Number(pythonLength)).toBe(data.length);
  });

  it('gives the same bytes whatever the input chunking and concurrency', async () => {
    const data = sampleData(400_000);
    const reference = await compress(data, 400_000, { blockSize: 50_000, concurrency: 1 });
    expect(await compress(data, 777, { blockSize: 50_000, concurrency: 3 })).toEqual(reference);
    expect(await compress(data, 50_000, { blockSize: 50_000, concurrency: 2 })).toEqual(reference);
  });

  it('handles empty input and input of exactly one block', async () => {
    expect(gunzipSync(await compress(Buffer.alloc(0), 1, {}))).toEqual(Buffer.alloc(0));
    const block = sampleData(64 * 1024);
    expect(gunzipSync(await compress(block, 1000, { blockSize: 64 * 1024 }))).toEqual(block);
  });
});
