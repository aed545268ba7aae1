import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@openaos/config';
import { decodeJws } from '@openaos/pki';
import { buildServicePackage } from './build-service-package.js';
import { PackageError } from './package-error.js';
import type { BuildProgress } from './types.js';
import { extractWithPython, listWithPython } from './testing/python-archive.js';
import { configYaml, createTestService, createTestSigner, type TestSigner } from './testing/test-service.js';

let workDir: string;
let signer: TestSigner;
let counter = 0;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'service-package-build-'));
  signer = createTestSigner();
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function newService(options: Parameters<typeof createTestService>[1] = {}): Promise<string> {
  counter += 1;
  return createTestService(join(workDir, `service-${counter}`), options);
}

async function failure(promise: Promise<unknown>): Promise<PackageError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PackageError);
  return error as PackageError;
}

describe('buildServicePackage', () => {
  it("writes aos-signer's layout, read back by Python's tarfile, hashes checked with openssl", async () => {
    const serviceDir = await newService({ stateRequired: true });
    const progress: BuildProgress[] = [];
    const built = await buildServicePackage({
      serviceDir,
      credential: signer.credential,
      onProgress: (step) => progress.push(step),
    });
    expect(built.path).toBe(join(serviceDir, 'service.tar.gz'));

    expect(listWithPython(built.path)).toEqual(['.', './config.yaml', './package.sign', './service.tar.gz']);
    const outerDir = join(serviceDir, 'outer');
    await mkdir(outerDir);
    extractWithPython(built.path, outerDir);
    expect(listWithPython(join(outerDir, 'service.tar.gz'))).toEqual([
      '.',
      './config.yaml',
      './default_state.dat',
      './service/',
      './service/app/',
      './service/app/lib/',
      './service/app/lib/data.bin',
      './service/app/main.py',
      './service/app/run.sh',
    ]);
    expect(await readFile(join(outerDir, 'config.yaml'))).toEqual(await readFile(join(serviceDir, 'meta/config.yaml')));

    const { header, payload } = decodeJws(await readFile(join(outerDir, 'package.sign'), 'utf8'));
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const opensslHash = (file: string): string =>
      execFileSync('openssl', ['dgst', '-sha3-512', '-r', file], { encoding: 'utf8' }).split(' ')[0] ?? '';
    expect(payload).toEqual({
      data: [
        {
          name: 'service.tar.gz',
          hash: opensslHash(join(outerDir, 'service.tar.gz')),
          size: (await readFile(join(outerDir, 'service.tar.gz'))).length,
        },
        {
          name: 'config.yaml',
          hash: opensslHash(join(outerDir, 'config.yaml')),
          size: (await readFile(join(outerDir, 'config.yaml'))).length,
        },
      ],
    });
    expect(built.files).toEqual((payload as { data: unknown }).data);
    expect(built.digests.sha3_512).toBe(opensslHash(built.path));
    expect(built.digests.sha256).toBe(execFileSync('sha256sum', [built.path], { encoding: 'utf8' }).split(' ')[0]);

    const innerDir = join(serviceDir, 'inner');
    await mkdir(innerDir);
    extractWithPython(join(outerDir, 'service.tar.gz'), innerDir);
    expect(await readFile(join(innerDir, 'default_state.dat'), 'utf8')).toBe('initial state\n');
    execFileSync('diff', ['-r', join(serviceDir, 'src'), join(innerDir, 'service')]);

    expect(progress[0]).toMatchObject({ phase: 'scanning', files: 3, totalFiles: 3, totalBytes: 200_064 });
    expect(progress.map((step) => step.phase)).toEqual(expect.arrayContaining(['packing', 'signing', 'writing']));
    expect(progress.at(-1)).toMatchObject({ files: 3, bytes: 200_064 });
  });

  it('gives the same bytes for the same inputs and signing time', async () => {
    const serviceDir = await newService();
    const signedAt = new Date('2026-11-20T10:11:12Z');
    const first = await buildServicePackage({
      serviceDir,
      credential: signer.credential,
      outputPath: join(serviceDir, 'out/one.tar.gz'),
      signedAt,
    });
    const second = await buildServicePackage({
      serviceDir,
      credential: signer.credential,
      outputPath: join(serviceDir, 'out/two.tar.gz'),
      signedAt,
    });
    expect(await readFile(first.path)).toEqual(await readFile(second.path));
    expect(await readdir(join(serviceDir, 'out'))).toEqual(['one.tar.gz', 'two.tar.gz']);
  });

  it("records the signing time as package.sign's mtime, as aos-signer's packages do; the rest keeps the fixed time", async () => {
    const serviceDir = await newService();
    const mtimes = (path: string): Record<string, string> =>
      Object.fromEntries(
        execFileSync('tar', ['--list', '--verbose', '--full-time', '-zf', path], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map((line) => line.split(/\s+/))
          .map((fields) => [fields[5] ?? '', `${fields[3] ?? ''}T${fields[4] ?? ''}Z`]),
      );
    const given = await buildServicePackage({
      serviceDir,
      credential: signer.credential,
      outputPath: join(serviceDir, 'out/given.tar.gz'),
      signedAt: new Date('2026-11-20T10:11:12.750Z'),
    });
    expect(mtimes(given.path)).toEqual({
      './': '2000-01-01T00:00:00Z',
      './config.yaml': '2000-01-01T00:00:00Z',
      './package.sign': '2026-11-20T10:11:12Z',
      './service.tar.gz': '2000-01-01T00:00:00Z',
    });
    // By default the package is signed now (to the second).
    const before = Math.floor(Date.now() / 1000) * 1000;
    const now = await buildServicePackage({
      serviceDir,
      credential: signer.credential,
      outputPath: join(serviceDir, 'out/now.tar.gz'),
    });
    const signedAt = Date.parse(mtimes(now.path)['./package.sign'] ?? '');
    expect(signedAt).toBeGreaterThanOrEqual(before);
    expect(signedAt).toBeLessThanOrEqual(Date.now());
  });

  it('honours build.symlinks: copy keeps, delete drops, raise refuses naming the link', async () => {
    const list = async (symlinks: string): Promise<string[]> => {
      const serviceDir = await newService({ symlinks });
      await symlink('main.py', join(serviceDir, 'src/app/main-link.py'));
      const built = await buildServicePackage({ serviceDir, credential: signer.credential });
      const outerDir = join(serviceDir, 'outer');
      await mkdir(outerDir);
      extractWithPython(built.path, outerDir);
      return listWithPython(join(outerDir, 'service.tar.gz'));
    };
    expect(await list('copy')).toContain('./service/app/main-link.py');
    expect(await list('delete')).not.toContain('./service/app/main-link.py');

    const serviceDir = await newService({ symlinks: 'raise' });
    await symlink('main.py', join(serviceDir, 'src/app/main-link.py'));
    const error = await failure(buildServicePackage({ serviceDir, credential: signer.credential }));
    expect(error.code).toBe('symlink');
    expect(error.entry).toBe('src/app/main-link.py');
    expect(error.message).toContain('Source code folder contains non regular file(s)');
    // Nothing half-written is left behind.
    expect((await readdir(serviceDir)).sort()).toEqual(['meta', 'src']);
  });

  it('refuses a symlink leaving the source folder', async () => {
    const serviceDir = await newService();
    await symlink('/etc/passwd', join(serviceDir, 'src/passwd'));
    const error = await failure(buildServicePackage({ serviceDir, credential: signer.credential }));
    expect(error.code).toBe('symlink');
    expect(error.entry).toBe('src/passwd');
  });

  it('refuses whiteout names (".wh.*"), which images would read as deletions', async () => {
    const serviceDir = await newService();
    await writeFile(join(serviceDir, 'src/app/.wh.config'), 'x');
    const error = await failure(buildServicePackage({ serviceDir, credential: signer.credential }));
    expect(error.code).toBe('bad-layout');
    expect(error.entry).toBe('src/app/.wh.config');
  });

  it('needs meta/<state.filename> when the state is required', async () => {
    const serviceDir = await newService({ stateRequired: true, withState: false });
    const error = await failure(buildServicePackage({ serviceDir, credential: signer.credential }));
    expect(error.code).toBe('missing-state');
    expect(error.entry).toBe('meta/state.dat');
    expect(error.message).toContain('state.required');
  });

  it('reports an invalid config with its problems, the ConfigError as cause', async () => {
    const serviceDir = await newService();
    await writeFile(join(serviceDir, 'meta/config.yaml'), configYaml().replace('version: "1.0.0"', 'version: "one"'));
    const error = await failure(buildServicePackage({ serviceDir, credential: signer.credential }));
    expect(error.code).toBe('invalid-config');
    expect(error.cause).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('publish.version');
  });

  it('reports a missing config and a missing source folder', async () => {
    const empty = join(workDir, 'empty');
    await mkdir(empty);
    expect((await failure(buildServicePackage({ serviceDir: empty, credential: signer.credential }))).code).toBe(
      'not-found',
    );
    const serviceDir = await newService();
    await rm(join(serviceDir, 'src'), { recursive: true });
    const error = await failure(buildServicePackage({ serviceDir, credential: signer.credential }));
    expect(error.code).toBe('not-found');
    expect(error.entry).toBe('src');
  });
});
