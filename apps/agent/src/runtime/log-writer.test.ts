import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listLogFiles, LOG_WRITER_FUNCTION, type LogLimits } from './log-writer.js';

/** Run the writer as the shim does (sh, function on a pipe) with `producer` (sh) writing into it. */
function runWriter(directory: string, limits: LogLimits, producer: string): Promise<number | null> {
  const script = `log=current.log; max_bytes=${limits.maxBytes}; max_files=${limits.files}\n${LOG_WRITER_FUNCTION}\n{ ${producer}; } | write_log`;
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script], { cwd: directory, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

async function readAll(directory: string): Promise<string> {
  const files = await listLogFiles(join(directory, 'current.log'));
  return (await Promise.all(files.map((file) => readFile(file, 'utf8')))).join('');
}

describe('the log writer', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openaos-log-writer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every byte of a fast writer in order across many rotations, no file past the cap', async () => {
    // Enough files to keep everything, so every byte can be checked (the count costs one mv per file per rotation).
    const limits = { maxBytes: 4096, files: 40 };
    expect(await runWriter(dir, limits, 'seq 1 15000')).toBe(0);
    const text = await readAll(dir);
    expect(text).toBe(Array.from({ length: 15_000 }, (_unused, index) => `${index + 1}\n`).join(''));
    const names = await readdir(dir);
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) expect((await stat(join(dir, name))).size).toBeLessThanOrEqual(limits.maxBytes);
  });

  it('keeps the newest files within the count, the newest rotated one as .1', async () => {
    expect(await runWriter(dir, { maxBytes: 10, files: 3 }, 'printf "aaaaaaaaaabbbbbbbbbbccccccccccdddd"')).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['current.log', 'current.log.1', 'current.log.2']);
    expect(await readFile(join(dir, 'current.log.2'), 'utf8')).toBe('bbbbbbbbbb');
    expect(await readFile(join(dir, 'current.log.1'), 'utf8')).toBe('cccccccccc');
    expect(await readFile(join(dir, 'current.log'), 'utf8')).toBe('dddd');
  });

  it('continues an existing log at its size (an instance restarted), and with one file only truncates', async () => {
    await writeFile(join(dir, 'current.log'), 'before\n');
    expect(await runWriter(dir, { maxBytes: 10, files: 2 }, 'printf "0123456789"')).toBe(0);
    expect(await readFile(join(dir, 'current.log.1'), 'utf8')).toBe('before\n012');
    expect(await readFile(join(dir, 'current.log'), 'utf8')).toBe('3456789');
    const single = join(dir, 'single');
    await mkdir(single);
    expect(await runWriter(single, { maxBytes: 4, files: 1 }, 'printf "abcdefghij"')).toBe(0);
    expect(await readdir(single)).toEqual(['current.log']);
    expect(await readFile(join(single, 'current.log'), 'utf8')).toBe('ij');
  });

  it('drops output it cannot write instead of breaking the pipe of the writer', async () => {
    // The log is a directory: every write fails. The producer must still finish (no SIGPIPE).
    await mkdir(join(dir, 'current.log'));
    expect(await runWriter(dir, { maxBytes: 10, files: 3 }, 'seq 1 100000 && echo end >&2')).toBe(0);
  });
});
