import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError } from './archive-error.js';
import { createTarWriter } from './create-tar-writer.js';
import { addDirectoryEntries, packDirectory } from './pack-directory.js';
import { readTarEntries } from './read-tar-entries.js';
import { scanDirectory } from './scan-directory.js';

let workDir: string;
let sourceDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'archive-pack-'));
  sourceDir = join(workDir, 'src');
  await mkdir(join(sourceDir, 'app/lib'), { recursive: true });
  await mkdir(join(sourceDir, 'b'), { recursive: true });
  await writeFile(join(sourceDir, 'app/main.py'), 'print("hello")\n');
  await writeFile(join(sourceDir, 'app/run.sh'), '#!/bin/sh\nexec python3 /app/main.py\n');
  await chmod(join(sourceDir, 'app/run.sh'), 0o700);
  await writeFile(join(sourceDir, 'app/lib/data.bin'), Buffer.alloc(300_000, 1));
  await chmod(join(sourceDir, 'app/lib/data.bin'), 0o600);
  await writeFile(join(sourceDir, 'a.txt'), 'a');
  await writeFile(join(sourceDir, 'B.txt'), 'B');
  await writeFile(join(sourceDir, 'ünïcode.txt'), 'u');
  await writeFile(join(sourceDir, `${'long-name-'.repeat(12)}.txt`), 'long');
  await symlink('../app/main.py', join(sourceDir, 'b/main-link'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('packDirectory', () => {
  it('gives the same bytes twice, in sorted order, with normalised metadata', async () => {
    const first = await collect(packDirectory(sourceDir, { prefix: './service/' }));
    const second = await collect(packDirectory(sourceDir, { prefix: './service/' }));
    expect(createHash('sha256').update(first).digest('hex')).toBe(createHash('sha256').update(second).digest('hex'));

    const tarPath = join(workDir, 'out.tar');
    await writeFile(tarPath, first);
    const listing = execFileSync('tar', ['--numeric-owner', '-tvf', tarPath], { encoding: 'utf8' }).trim().split('\n');
    const names = listing.map((line) => line.split(/\s+/).slice(5).join(' '));
    expect(names).toEqual([
      './service/',
      './service/B.txt',
      './service/a.txt',
      './service/app/',
      './service/app/lib/',
      './service/app/lib/data.bin',
      './service/app/main.py',
      './service/app/run.sh',
      './service/b/',
      './service/b/main-link -> ../app/main.py',
      `./service/${'long-name-'.repeat(12)}.txt`,
      './service/ünïcode.txt',
    ]);
    for (const line of listing) {
      expect(line).toContain(' 0/0 ');
      expect(line).toContain('2000-01-01 00:00');
    }
    expect(listing.find((line) => line.endsWith('run.sh'))).toMatch(/^-rwxr-xr-x/);
    expect(listing.find((line) => line.endsWith('data.bin'))).toMatch(/^-rw-r--r--/);
  });

  it('is extracted by GNU tar to the same tree', async () => {
    const tarPath = join(workDir, 'gnu.tar');
    await writeFile(tarPath, await collect(packDirectory(sourceDir)));
    const outDir = join(workDir, 'gnu-out');
    await mkdir(outDir);
    execFileSync('tar', ['-xf', tarPath, '-C', outDir]);
    execFileSync('diff', ['-r', '--no-dereference', sourceDir, outDir]);
    expect(await readFile(join(outDir, 'app/lib/data.bin'))).toEqual(Buffer.alloc(300_000, 1));
  });

  it('round-trips through readTarEntries', async () => {
    const seen: string[] = [];
    for await (const entry of readTarEntries(packDirectory(sourceDir, { prefix: 'service/' }))) {
      seen.push(`${entry.type}:${entry.name}`);
      entry.body?.resume();
    }
    expect(seen).toContain('symlink:service/b/main-link');
    expect(seen).toContain('file:service/app/lib/data.bin');
  });

  it('applies the symlink policy: delete drops links, raise names them like aos-signer', async () => {
    const deleted = await scanDirectory(sourceDir, { symlinks: 'delete' });
    expect(deleted.map((entry) => entry.name)).not.toContain('b/main-link');
    expect(deleted.map((entry) => entry.name)).toContain('b');

    const error = await collect(packDirectory(sourceDir, { symlinks: 'raise' })).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).code).toBe('symlink');
    expect((error as ArchiveError).message).toContain('Source code folder contains non regular file(s)');
    expect((error as ArchiveError).entry).toBe('src/b/main-link');
  });

  it('refuses special files and symlinks leaving the folder', async () => {
    const fifoDir = join(workDir, 'with-fifo');
    await mkdir(fifoDir);
    execFileSync('mkfifo', [join(fifoDir, 'pipe')]);
    const fifoError = await scanDirectory(fifoDir).catch((thrown: unknown) => thrown);
    expect((fifoError as ArchiveError).code).toBe('special-file');
    expect((fifoError as ArchiveError).entry).toBe('with-fifo/pipe');

    const linkDir = join(workDir, 'with-escape');
    await mkdir(linkDir);
    await symlink('/etc/passwd', join(linkDir, 'passwd'));
    const linkError = await scanDirectory(linkDir).catch((thrown: unknown) => thrown);
    expect((linkError as ArchiveError).code).toBe('link-escapes');
  });

  it('fails with file-changed when a file shrinks between scan and pack', async () => {
    const folder = join(workDir, 'shrinking');
    await mkdir(folder);
    await writeFile(join(folder, 'big.bin'), Buffer.alloc(400_000, 3));
    await writeFile(join(folder, 'small.txt'), 'hello world');
    const entries = await scanDirectory(folder);
    await writeFile(join(folder, 'big.bin'), Buffer.alloc(10, 3));
    const writer = createTarWriter();
    writer.stream.resume();
    writer.stream.on('error', () => {});
    const error = await addDirectoryEntries(writer, entries).catch((thrown: unknown) => thrown);
    expect((error as ArchiveError).code).toBe('file-changed');
    expect((error as ArchiveError).entry).toBe('big.bin');
  });

  it('reports files as they are packed', async () => {
    const files: [string, number][] = [];
    await collect(packDirectory(sourceDir, { onFile: (path, size) => files.push([path, size]) }));
    expect(files).toContainEqual(['app/lib/data.bin', 300_000]);
    expect(files).toHaveLength(7);
  });
});
