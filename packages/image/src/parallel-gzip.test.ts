import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ParallelGzip } from './parallel-gzip.js';

const MiB = 1024 * 1024;

async function compress(data: Buffer, concurrency: number, chunk = 64 * 1024): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += chunk) pieces.push(data.subarray(offset, offset + chunk));
  const output: Buffer[] = [];
  for await (const part of Readable.from(pieces).pipe(new ParallelGzip({ level: 6, concurrency }))) output.push(part as Buffer);
  return Buffer.concat(output);
}

/** Text-like data with long repeats across block boundaries, plus incompressible stretches. */
function sampleData(size: number): Buffer {
  const text = Buffer.from('service unit layer quota manifest digest '.repeat(4096));
  const parts: Buffer[] = [];
  for (let total = 0; total < size; ) {
    const part = parts.length % 3 === 2 ? randomBytes(200_000) : text;
    parts.push(part);
    total += part.length;
  }
  return Buffer.concat(parts).subarray(0, size);
}

describe('ParallelGzip', () => {
  it('produces gzip that gunzip and `gzip -t` accept, for sizes around the block boundary', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'openaos-parallel-gzip-'));
    try {
      for (const size of [0, 1, MiB - 1, MiB, MiB + 1, 3 * MiB + 12345]) {
        const data = sampleData(size);
        const compressed = await compress(data, 3);
        expect(gunzipSync(compressed).equals(data), `size ${size}`).toBe(true);
        const file = join(directory, `${size}.gz`);
        await writeFile(file, compressed);
        execFileSync('gzip', ['-t', file]);
        expect(execFileSync('sh', ['-c', `gunzip -c ${file} | wc -c`]).toString().trim()).toBe(String(size));
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('is deterministic: output depends on the data only, not on concurrency or chunking', async () => {
    const data = sampleData(5 * MiB + 777);
    const reference = await compress(data, 1);
    expect((await compress(data, 4)).equals(reference)).toBe(true);
    expect((await compress(data, 2, 7_919)).equals(reference)).toBe(true);
  });

  it('compresses about as well as single-stream gzip (matches across blocks)', async () => {
    const data = sampleData(4 * MiB);
    const { gzipSync } = await import('node:zlib');
    const single = gzipSync(data, { level: 6 }).length;
    const parallel = (await compress(data, 2)).length;
    expect(parallel).toBeLessThan(single * 1.01);
  });
});
