import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError } from './archive-error.js';
import { encodeHeaders } from './tar-header.js';
import { readTarEntries, type ReadTarOptions } from './read-tar-entries.js';
import { buildTarWithPython, type RawTarEntry } from './testing/build-tar-with-python.js';

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'archive-read-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

let counter = 0;
function hostile(entries: RawTarEntry[], options: { gzip?: boolean; format?: 'gnu' | 'pax' } = {}): string {
  counter += 1;
  return buildTarWithPython(join(workDir, `t${counter}.tar${options.gzip === true ? '.gz' : ''}`), entries, options);
}

/** Read everything, draining bodies; returns names, or the ArchiveError thrown. */
async function readAll(
  path: string,
  options: ReadTarOptions = {},
): Promise<{ names: string[]; contents: Record<string, string> }> {
  const names: string[] = [];
  const contents: Record<string, string> = {};
  for await (const entry of readTarEntries(createReadStream(path), options)) {
    names.push(entry.name);
    if (entry.body !== undefined) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry.body) chunks.push(chunk as Buffer);
      contents[entry.name] = Buffer.concat(chunks).toString();
    }
  }
  return { names, contents };
}

async function refusal(path: string, options: ReadTarOptions = {}): Promise<ArchiveError> {
  const error = await readAll(path, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  return error as ArchiveError;
}

describe('readTarEntries', () => {
  it('reads a plain and a gzip archive made by Python, names normalised, root skipped', async () => {
    const entries: RawTarEntry[] = [
      { name: '.', type: 'dir' },
      { name: './config.yaml', data: 'a: 1\n' },
      { name: './service', type: 'dir' },
      { name: './service//bin/./app', data: 'binary', mode: 0o4755 },
      { name: './service/lib', type: 'symlink', linkname: 'bin' },
    ];
    for (const gzip of [false, true]) {
      const { names, contents } = await readAll(hostile(entries, { gzip }));
      expect(names).toEqual(['config.yaml', 'service', 'service/bin/app', 'service/lib']);
      expect(contents['service/bin/app']).toBe('binary');
    }
  });

  it('drops setuid/setgid bits and reports sizes, types and links', async () => {
    const path = hostile([
      { name: 'app', data: 'x', mode: 0o6755 },
      { name: 'copy', type: 'link', linkname: 'app' },
    ]);
    const seen = [];
    for await (const entry of readTarEntries(createReadStream(path))) {
      seen.push({ name: entry.name, type: entry.type, size: entry.size, mode: entry.mode, linkname: entry.linkname });
    }
    expect(seen).toEqual([
      { name: 'app', type: 'file', size: 1, mode: 0o755, linkname: undefined },
      { name: 'copy', type: 'hardlink', size: 0, mode: 0o644, linkname: 'app' },
    ]);
  });

  it('handles long names (PAX and GNU) and skips unread bodies', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
    for (const format of ['pax', 'gnu'] as const) {
      const path = hostile(
        [
          { name: long, data: 'long' },
          { name: 'next', data: 'n' },
        ],
        { format },
      );
      const names: string[] = [];
      for await (const entry of readTarEntries(createReadStream(path))) names.push(entry.name); // bodies left unread
      expect(names).toEqual([long, 'next']);
    }
  });

  it.each([
    ['../ escape', [{ name: '../evil', data: 'x' }], 'entry-escapes', '../evil'],
    ['nested ../ escape', [{ name: 'a/../../evil', data: 'x' }], 'entry-escapes', 'a/../../evil'],
    ['absolute path', [{ name: '/etc/passwd', data: 'x' }], 'absolute-path', '/etc/passwd'],
    ['absolute symlink', [{ name: 'etc', type: 'symlink', linkname: '/etc' }], 'link-escapes', 'etc'],
    ['symlink climbing out', [{ name: 'a/up', type: 'symlink', linkname: '../../x' }], 'link-escapes', 'a/up'],
    ['symlink with .. after a name', [{ name: 'l', type: 'symlink', linkname: 'sub/../../x' }], 'link-escapes', 'l'],
    [
      'file written through an earlier symlink',
      [
        { name: 'sub', type: 'dir' },
        { name: 'link', type: 'symlink', linkname: 'sub' },
        { name: 'link/file', data: 'x' },
      ],
      'link-escapes',
      'link/file',
    ],
    ['hard link outside', [{ name: 'h', type: 'link', linkname: '../../etc/passwd' }], 'link-escapes', 'h'],
    ['hard link absolute', [{ name: 'h', type: 'link', linkname: '/etc/passwd' }], 'link-escapes', 'h'],
    [
      'hard link to an unseen name',
      [
        { name: 'h', type: 'link', linkname: 'later' },
        { name: 'later', data: 'x' },
      ],
      'link-escapes',
      'h',
    ],
    ['character device', [{ name: 'dev/null', type: 'chr' }], 'special-file', 'dev/null'],
    ['block device', [{ name: 'sda', type: 'blk' }], 'special-file', 'sda'],
    ['fifo', [{ name: 'pipe', type: 'fifo' }], 'special-file', 'pipe'],
    ['whiteout', [{ name: 'etc/.wh.passwd', data: '' }], 'whiteout', 'etc/.wh.passwd'],
    [
      'duplicate name',
      [
        { name: 'a', data: '1' },
        { name: './a', data: '2' },
      ],
      'duplicate-entry',
      'a',
    ],
  ] as [string, RawTarEntry[], string, string][])(
    'refuses %s, naming the entry',
    async (_label, entries, code, entryName) => {
      const error = await refusal(hostile(entries));
      expect(error.code).toBe(code);
      expect(error.entry).toBe(entryName);
      expect(error.message).toContain(entryName);
    },
  );

  it('accepts whiteouts and absolute symlinks only when asked', async () => {
    const whiteout = hostile([{ name: 'etc/.wh.passwd', data: '' }]);
    expect((await readAll(whiteout, { whiteouts: 'allow' })).names).toEqual(['etc/.wh.passwd']);
    const absolute = hostile([{ name: 'localtime', type: 'symlink', linkname: '/usr/share/zoneinfo/UTC' }]);
    expect((await readAll(absolute, { absoluteSymlinks: 'allow' })).names).toEqual(['localtime']);
  });

  it('accepts symlinks that stay inside, with leading ..', async () => {
    const path = hostile([
      { name: 'usr/lib/libz.so.1', data: 'z' },
      { name: 'usr/lib/libz.so', type: 'symlink', linkname: 'libz.so.1' },
      { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
      { name: 'usr/bin/z', type: 'symlink', linkname: '../lib/libz.so' },
    ]);
    expect((await readAll(path)).names).toHaveLength(4);
  });

  it('stops at too many entries and at an oversized entry', async () => {
    const many = hostile(Array.from({ length: 20 }, (_, index) => ({ name: `f${index}`, data: 'x' })));
    const tooMany = await refusal(many, { limits: { maxEntries: 10 } });
    expect(tooMany.code).toBe('too-many-entries');
    expect(tooMany.entry).toBe('f10');

    const big = hostile([
      { name: 'small', data: 'x' },
      { name: 'big', data: 'y'.repeat(5000) },
    ]);
    const tooLarge = await refusal(big, { limits: { maxEntryBytes: 4096 } });
    expect(tooLarge.code).toBe('entry-too-large');
    expect(tooLarge.entry).toBe('big');

    const total = await refusal(
      hostile([
        { name: 'a', data: 'x'.repeat(3000) },
        { name: 'b', data: 'x'.repeat(3000) },
      ]),
      { limits: { maxTotalBytes: 5000 } },
    );
    expect(total.code).toBe('total-too-large');
    expect(total.entry).toBe('b');
  });

  it('refuses an archive larger than maxArchiveBytes', async () => {
    const path = hostile([{ name: 'a', data: 'x'.repeat(20_000) }]);
    expect((await refusal(path, { limits: { maxArchiveBytes: 10_000 } })).code).toBe('archive-too-large');
  });

  it('stops a gzip bomb (1 GiB of zeros) early, without inflating it', async () => {
    // One file header declaring 1 GiB, then 1 GiB of zeros as 1024 gzip members of 1 MiB each:
    // about 1 MiB compressed. gunzip reads concatenated members as one stream.
    const gibibyte = 1024 ** 3;
    const [header] = encodeHeaders({ name: 'zeros', type: 'file', size: gibibyte, mode: 0o644, mtime: new Date(0) });
    const zerosMember = gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
    const members = [gzipSync(header ?? Buffer.alloc(0)), ...Array.from({ length: 1024 }, () => zerosMember)];
    const compressedSize = members.reduce((sum, member) => sum + member.length, 0);

    let bytesRead = 0;
    const source = Readable.from(
      (function* () {
        for (const member of members) {
          bytesRead += member.length;
          yield member;
        }
      })(),
    );
    const error = await (async () => {
      for await (const entry of readTarEntries(source, { limits: { maxEntryBytes: 2 * gibibyte } })) {
        for await (const _chunk of entry.body ?? []) {
          // drain
        }
      }
    })().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).code).toBe('compression-ratio');
    // Early means by data, not by clock: less than a tenth of the bomb was even read.
    expect(bytesRead).toBeLessThan(compressedSize / 10);
  });

  it('refuses a folder that declares content (parsers would disagree on what follows)', async () => {
    const [header] = encodeHeaders({ name: 'dir/', type: 'directory', size: 1024, mode: 0o755, mtime: new Date(0) });
    const archive = Buffer.concat([header ?? Buffer.alloc(0), Buffer.alloc(1024, 0x41), Buffer.alloc(1024)]);
    const error = await (async () => {
      for await (const _entry of readTarEntries(Readable.from([archive]))) {
        // nothing expected
      }
    })().catch((thrown: unknown) => thrown);
    expect((error as ArchiveError).code).toBe('corrupt');
    expect((error as ArchiveError).entry).toBe('dir');
  });

  it('reports truncated and non-tar input as corrupt', async () => {
    const path = hostile([{ name: 'a', data: 'x'.repeat(2000) }]);
    const { readFile, writeFile } = await import('node:fs/promises');
    const bytes = await readFile(path);
    const truncated = join(workDir, 'truncated.tar');
    await writeFile(truncated, bytes.subarray(0, 1024));
    expect((await refusal(truncated)).code).toBe('corrupt');
    const garbage = join(workDir, 'garbage.tar');
    await writeFile(garbage, Buffer.alloc(2048, 7));
    expect((await refusal(garbage)).code).toBe('corrupt');
    const xz = join(workDir, 'fake.tar.xz');
    await writeFile(xz, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3]));
    const xzError = await refusal(xz);
    expect(xzError.code).toBe('corrupt');
    expect(xzError.message).toContain('xz');
  });
});
