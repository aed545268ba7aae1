import { describe, expect, it } from 'vitest';
import { readEnvironment } from './env.js';
import { runAos } from './testing/capture-io.js';

const env = readEnvironment({ AOS_HOME: '/nonexistent/aos-home' });

describe('aos command line', () => {
  it('exits 0 for --help and --version, and documents the exit codes', async () => {
    const help = await runAos(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    expect(help.stdout).toMatch(/64\s+usage error/);
    const version = await runAos(['--version'], env);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 64 on usage errors', async () => {
    expect((await runAos(['frobnicate'], env)).code).toBe(64);
    const bare = await runAos([], env); // no command: the help, as a usage error
    expect(bare.code).toBe(64);
    expect(bare.stderr).toContain('Usage: aos');
    expect((await runAos(['sign', '--no-such-option'], env)).code).toBe(64);
    expect((await runAos(['inspect'], env)).code).toBe(64); // missing <package>
    expect((await runAos(['image', 'build', 'x.tar.gz'], env)).code).toBe(64); // missing -o
    expect((await runAos(['credentials', 'dev', '--role', 'admin'], env)).code).toBe(64);
  });

  it('reports errors as "aos: <action>: <message>" with a hint and no stack trace', async () => {
    const result = await runAos(['validate', '-C', '/nonexistent/service'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^aos: validating the service config: no service config at \/nonexistent\/service\/meta\/config\.yaml/,
    );
    expect(result.stderr).toContain('hint:');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints one JSON error document on stdout with --json', async () => {
    const result = await runAos(['inspect', '/nonexistent/service.tar.gz', '--json'], env);
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout) as { error: { code: string; action: string } };
    expect(document.error.code).toBe('not-found');
    expect(document.error.action).toContain('inspecting');
  });
});
