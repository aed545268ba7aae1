import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, runAos } from '../testing/capture-io.js';
import { runValidate, type ValidateResult } from './validate.js';

// Three independent mistakes on known lines: a bad SemVer (line 7), an unknown runner
// (line 11) and a size that is not a size (line 14).
const INVALID_CONFIG = `build:
    os: linux
    arch: x86
    sign_pkcs12: aos-user-sp.p12
publish:
    service_uid: 2efd1506-564e-40de-9466-66ae7a25fac0
    version: "one point oh"
configuration:
    cmd: python3 -u /hello.py
    runners:
        - kubernetes
    quotas:
        cpu: 50
        mem: lots
`;

describe('aos validate', () => {
  let sandbox: Awaited<ReturnType<typeof createSandbox>>;
  let serviceDir: string;

  beforeAll(async () => {
    sandbox = await createSandbox();
    serviceDir = join(sandbox.root, 'broken');
    await mkdir(join(serviceDir, 'meta'), { recursive: true });
    await writeFile(join(serviceDir, 'meta', 'config.yaml'), INVALID_CONFIG);
  });
  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('lists every problem with file:line:col and exits 1', async () => {
    const result = await runAos(['validate', '-C', serviceDir], sandbox.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/config\.yaml:7:\d+\s+publish\.version/);
    expect(result.stdout).toMatch(/config\.yaml:11:\d+\s+configuration\.runners/);
    expect(result.stdout).toMatch(/config\.yaml:14:\d+\s+configuration\.quotas\.mem/);
    expect(result.stdout).toContain('Config is invalid');
    expect(result.stdout).not.toContain('Config is valid');
  });

  it('gives the same problems as JSON', async () => {
    const result = await runAos(['validate', '-C', serviceDir, '--json'], sandbox.env);
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout) as ValidateResult;
    expect(document.valid).toBe(false);
    const lines = document.problems.filter((problem) => problem.severity !== 'warning').map((problem) => problem.line);
    expect(lines).toEqual(expect.arrayContaining([7, 11, 14]));
  });

  it('is callable as a function that returns the problems instead of throwing', async () => {
    const result = await runValidate({ configPath: join(serviceDir, 'meta', 'config.yaml') });
    expect(result.valid).toBe(false);
    expect(result.serviceDir).toBe(serviceDir);
    expect(result.problems.length).toBeGreaterThanOrEqual(3);
  });

  it('sign refuses the same config with exit 1 and prints the problems on stderr', async () => {
    const result = await runAos(['sign', '-C', serviceDir], sandbox.env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/config\.yaml:14:\d+\s+configuration\.quotas\.mem/);
    expect(result.stderr).toContain('aos: validating the service config:');
  });
});
