import { createReadStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError } from './archive-error.js';
import { extractTar } from './extract-tar.js';
import { buildTarWithPython, type RawTarEntry } from './testing/build-tar-with-python.js';

let workDir: string;
let counter = 0;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'archive-extract-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function archive(entries: RawTarEntry[]): string {
  counter += 1;
  return buildTarWithPython(join(workDir, `a${counter}.tar.gz`), entries, { gzip: true });
}

describe('extractTar', () => {
  it('extracts files, folders, links and modes; drops setuid; keeps a read-only folder fillable', async () => {
    const destination = join(workDir, 'ok');
    const result = await extractTar(
      createReadStream(
        archive([
          { name: './', type: 'dir' },
          { name: './ro', type: 'dir', mode: 0o555 },
          { name: './ro/file', data: 'inside' },
          { name: './bin/app', data: '#!/bin/sh\n', mode: 0o4755 },
          { name: './bin/app-link', type: 'symlink', linkname: 'app' },
          { name: './bin/app-hard', type: 'link', linkname: './bin/app' },
        ]),
      ),
      destination,
    );
    expect(result).toEqual({ entries: 5, bytes: 16 });
    expect(await readFile(join(destination, 'ro/file'), 'utf8')).toBe('inside');
    expect((await stat(join(destination, 'ro'))).mode & 0o7777).toBe(0o555);
    expect((await stat(join(destination, 'bin/app'))).mode & 0o7777).toBe(0o755);
    expect(await readlink(join(destination, 'bin/app-link'))).toBe('app');
    expect((await stat(join(destination, 'bin/app-hard'))).ino).toBe((await stat(join(destination, 'bin/app'))).ino);
  });

  it('never writes through a symlink already in the destination', async () => {
    const outside = join(workDir, 'outside');
    await mkdir(outside);
    const destination = join(workDir, 'planted');
    await mkdir(destination);
    await symlink(outside, join(destination, 'evil'));
    const error = await extractTar(createReadStream(archive([{ name: 'evil/owned', data: 'x' }])), destination).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).entry).toBe('evil/owned');
    expect(await readdir(outside)).toEqual([]);
  });

  it('refuses to overwrite an existing file or follow a planted final symlink', async () => {
    const outside = join(workDir, 'outside2');
    await mkdir(outside);
    const destination = join(workDir, 'planted2');
    await mkdir(destination);
    await symlink(join(outside, 'target'), join(destination, 'file'));
    const error = await extractTar(createReadStream(archive([{ name: 'file', data: 'x' }])), destination).catch(
      (thrown: unknown) => thrown,
    );
    expect((error as ArchiveError).code).toBe('write-failed');
    expect(await readdir(outside)).toEqual([]);
    expect((await lstat(join(destination, 'file'))).isSymbolicLink()).toBe(true);
  });

  it('refuses an archive that plants a symlink and then writes through it', async () => {
    const outside = join(workDir, 'outside3');
    await mkdir(outside);
    const destination = join(workDir, 'through');
    const error = await extractTar(
      createReadStream(
        archive([
          { name: 'escape', type: 'symlink', linkname: outside },
          { name: 'escape/owned', data: 'x' },
        ]),
      ),
      destination,
      { absoluteSymlinks: 'allow' },
    ).catch((thrown: unknown) => thrown);
    expect((error as ArchiveError).code).toBe('link-escapes');
    expect((error as ArchiveError).entry).toBe('escape/owned');
    expect(await readdir(outside)).toEqual([]);
  });

  it.each([
    ['../ escape', [{ name: '../../evil', data: 'x' }], 'entry-escapes'],
    ['hard link outside', [{ name: 'h', type: 'link', linkname: '/etc/passwd' }], 'link-escapes'],
    ['char device', [{ name: 'null', type: 'chr' }], 'special-file'],
  ] as [string, RawTarEntry[], string][])('refuses %s before writing anything', async (_label, entries, code) => {
    const destination = join(workDir, `refused-${counter}`);
    const error = await extractTar(createReadStream(archive(entries)), destination).catch((thrown: unknown) => thrown);
    expect((error as ArchiveError).code).toBe(code);
    // Nothing written: the destination is made only once the first entry passed its checks.
    await expect(readdir(destination)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('extractTar and a source that fails early', () => {
  it('reports a source that fails before the first entry, and nothing escapes as an uncaught exception', async () => {
    const escaped: unknown[] = [];
    const record = (error: unknown): void => {
      escaped.push(error);
    };
    process.on('uncaughtException', record);
    try {
      for (const name of ['missing-file', 'failing-stream']) {
        // A missing file fails at open, a broken stream at once: both before extractTar's folder exists.
        const source =
          name === 'missing-file' ? createReadStream(join(workDir, 'no-such.tar.gz')) : new Readable({ read() {} });
        const extracting = extractTar(source, join(workDir, `early-${name}`));
        if (name === 'failing-stream') source.destroy(new Error('the disk went away'));
        await expect(extracting).rejects.toThrow(name === 'missing-file' ? /ENOENT/ : /the disk went away/);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(escaped).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
  });
});
