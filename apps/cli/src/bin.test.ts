import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real executable: bin/aos.js runs dist/bundle/main.js (else dist/main.js), so this needs a build
// (`pnpm --filter @openaos/cli build`; the root `pnpm test` builds first).
const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(appDir, 'bin', 'aos.js');
const built = existsSync(join(appDir, 'dist', 'main.js'));
if (!built)
  console.warn('bin.test.ts skipped: apps/cli/dist/main.js is missing; run `pnpm --filter @openaos/cli build` first');

describe.skipIf(!built)('the built aos binary', () => {
  let root: string;
  const aos = (args: string[], env: Record<string, string> = {}) =>
    execa('node', [bin, ...args], {
      reject: false,
      env: { AOS_HOME: join(root, 'home'), AOS_DEBUG: '', AOS_CLOUD_URL: '', ...env },
      cwd: root,
    });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'openaos-bin-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('prints its version and help with exit 0, and exits 64 on a usage error', async () => {
    expect((await aos(['--version'])).exitCode).toBe(0);
    const help = await aos(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    const usage = await aos(['sign', '--bogus']);
    expect(usage.exitCode).toBe(64);
    expect(usage.stderr).toContain("unknown option '--bogus'");
  });

  it('runs the bundle that the build makes, else dist/main.js', async () => {
    const { version } = JSON.parse(await readFile(join(appDir, 'package.json'), 'utf8')) as { version: string };
    // Copies of the package: one with the bundle and no dist/main.js, one with dist/ but no bundle.
    const copyWith = async (name: string, keep: (path: string) => boolean): Promise<string> => {
      const copy = join(root, name);
      await cp(join(appDir, 'bin'), join(copy, 'bin'), { recursive: true });
      await cp(join(appDir, 'package.json'), join(copy, 'package.json'));
      await cp(join(appDir, 'dist'), join(copy, 'dist'), { recursive: true, filter: keep });
      await symlink(join(appDir, 'node_modules'), join(copy, 'node_modules'));
      return copy;
    };
    const bundleOnly = await copyWith('bundle-only', (path) => !path.endsWith(join('dist', 'main.js')));
    const plainOnly = await copyWith('plain-only', (path) => !path.includes(join('dist', 'bundle')));
    expect(existsSync(join(bundleOnly, 'dist', 'bundle', 'main.js'))).toBe(true);
    expect(existsSync(join(plainOnly, 'dist', 'bundle'))).toBe(false);
    for (const copy of [bundleOnly, plainOnly]) {
      const run = await execa('node', [join(copy, 'bin', 'aos.js'), '--version'], {
        reject: false,
        env: { AOS_HOME: join(root, 'home') },
      });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toBe(version);
    }
  });

  it('runs init and validate --json as a script would', async () => {
    expect((await aos(['init', 'svc', '--service-uid', '2efd1506-564e-40de-9466-66ae7a25fac0'])).exitCode).toBe(0);
    const validate = await aos(['validate', '-C', 'svc', '--json']);
    expect(validate.exitCode).toBe(0);
    expect((JSON.parse(validate.stdout) as { valid: boolean }).valid).toBe(true);
  });

  it('on a fresh machine, `aos init demo && cd demo && aos sign` makes a package that inspect verifies and image build turns into an image umoci opens', async () => {
    const home = join(root, 'fresh-home');
    const run = (args: string[], cwd: string) =>
      execa('node', [bin, ...args], { reject: false, env: { AOS_HOME: home, AOS_DEBUG: '', AOS_CLOUD_URL: '' }, cwd });
    const init = await run(['init', 'demo'], root);
    expect(init.exitCode).toBe(0);
    expect(init.stdout).toContain('development credential');
    const demo = join(root, 'demo');
    const sign = await run(['sign'], demo);
    expect(sign.stderr).toBe('');
    expect(sign.exitCode).toBe(0);
    const inspect = await run(['inspect', 'service.tar.gz', '--json'], demo);
    expect(inspect.exitCode).toBe(0);
    expect((JSON.parse(inspect.stdout) as { verified: boolean }).verified).toBe(true);
    expect((await run(['image', 'build', 'service.tar.gz', '-o', 'image'], demo)).exitCode).toBe(0);
    const unpack = await execa('umoci', ['unpack', '--rootless', '--image', 'image:latest', 'bundle'], {
      cwd: demo,
      reject: false,
    });
    expect(unpack.exitCode).toBe(0);
    expect(existsSync(join(demo, 'bundle', 'rootfs', 'hello.py'))).toBe(true);
  });

  it('prints errors without a stack trace, unless AOS_DEBUG=1', async () => {
    const plain = await aos(['inspect', 'missing.tar.gz']);
    expect(plain.exitCode).toBe(1);
    expect(plain.stderr).toMatch(/^aos: inspecting missing\.tar\.gz: /);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await aos(['inspect', 'missing.tar.gz'], { AOS_DEBUG: '1' });
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('refuses a relative AOS_HOME with exit 64', async () => {
    const result = await aos(['--version'], { AOS_HOME: 'relative/home' });
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain('AOS_HOME');
  });
});
