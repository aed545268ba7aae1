import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceSummary } from './commands/service.js';
import { createSandbox, runAos } from './testing/capture-io.js';
import { startTestCloud, type TestCloud } from './testing/start-test-cloud.js';

// A cloud that answers before reading the whole body (413) must not leave the upload hanging.
describe('aos upload to a cloud with a small upload limit', () => {
  let cloud: TestCloud;
  let sandbox: Awaited<ReturnType<typeof createSandbox>>;

  beforeAll(async () => {
    cloud = await startTestCloud({ maxUploadBytes: 4096 });
    sandbox = await createSandbox();
    const sp = await cloud.addUser('sp', 'Small Org', 'sp@small.test');
    await mkdir(join(sandbox.aosHome, 'security'), { recursive: true });
    await writeFile(join(sandbox.aosHome, 'security', 'aos-user-sp.p12'), sp.pkcs12);
  });
  afterAll(async () => {
    await cloud?.close();
    await sandbox?.cleanup();
  });

  it('reports 413 with a hint, exit 1, without hanging', async () => {
    const created = await runAos(['service', 'create', '--title', 'Big', '--url', cloud.url, '--json'], sandbox.env);
    const serviceId = (JSON.parse(created.stdout) as ServiceSummary).id;
    const serviceDir = join(sandbox.root, 'big');
    expect((await runAos(['init', serviceDir, '--service-uid', serviceId, '-q'], sandbox.env)).code).toBe(0);
    // 1 MiB of data that does not compress: well over the limit.
    await writeFile(join(serviceDir, 'src', 'blob.bin'), randomBytes(1024 * 1024));
    const result = await runAos(['go', '-C', serviceDir, '--url', cloud.url], sandbox.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HTTP 413');
    expect(result.stderr).toContain('hint: the package is bigger than the cloud accepts');
  });
});
