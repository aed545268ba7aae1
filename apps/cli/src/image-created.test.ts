import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoResult } from './commands/go.js';
import type { ImageBuildResult } from './commands/image-build.js';
import type { InspectResult } from './commands/inspect.js';
import type { ServiceDetail, ServiceSummary } from './commands/service.js';
import type { CliEnvironment } from './env.js';
import { createSandbox, runAos } from './testing/capture-io.js';
import { startTestCloud, type TestCloud } from './testing/start-test-cloud.js';

/**
 * The image's created time is the package's signing time, so the cloud and `aos image build`
 * give the same image for the same package; SOURCE_DATE_EPOCH, where the builder has it,
 * replaces it in both.
 */

const SIGNED_AT = new Date('2026-03-04T05:06:07Z');
const EPOCH = new Date('2030-01-01T00:00:00Z');

describe('the created time of images, in the cloud and from `aos image build`', () => {
  let cloud: TestCloud;
  let sandbox: Awaited<ReturnType<typeof createSandbox>>;
  let serviceId: string;
  let serviceDir: string;

  beforeAll(async () => {
    cloud = await startTestCloud();
    sandbox = await createSandbox();
    const sp = await cloud.addUser('sp', 'Acme Services', 'sp@acme.test');
    await mkdir(join(sandbox.aosHome, 'security'), { recursive: true });
    await writeFile(join(sandbox.aosHome, 'security', 'aos-user-sp.p12'), sp.pkcs12);
    expect((await runAos(['login', '--url', cloud.url], sandbox.env)).code).toBe(0);
    const created = await runAos(['service', 'create', '--title', 'Hello', '--json'], sandbox.env);
    serviceId = (JSON.parse(created.stdout) as ServiceSummary).id;
    serviceDir = join(sandbox.root, 'svc');
    const init = await runAos(['init', serviceDir, '--service-uid', serviceId, '--no-dev-credential'], sandbox.env);
    expect(init.code).toBe(0);
  });
  afterAll(async () => {
    await cloud?.close();
    await sandbox?.cleanup();
  });

  /** `aos go` the service at `version`, signed at SIGNED_AT; returns the cloud's image digest of it. */
  async function signAndUpload(version: string): Promise<string> {
    const configPath = join(serviceDir, 'meta', 'config.yaml');
    await writeFile(
      configPath,
      (await readFile(configPath, 'utf8')).replace(/^(\s*)version:.*$/m, `$1version: "${version}"`),
    );
    const go = await runAos(['go', '-C', serviceDir, '--json'], { ...sandbox.env, sourceDateEpoch: SIGNED_AT });
    expect(go.stderr).toBe('');
    expect((JSON.parse(go.stdout) as GoResult).upload.state).toBe('ready');
    const detail = JSON.parse(
      (await runAos(['service', 'show', serviceId, '--json'], sandbox.env)).stdout,
    ) as ServiceDetail;
    const digest = detail.versions.find((entry) => entry.version === version)?.imageDigest ?? '';
    expect(digest).toMatch(/^sha256:/);
    return digest;
  }

  /** `aos image build` the package just signed; returns the result and the image config's created time. */
  async function buildLocally(
    env: CliEnvironment,
    name: string,
  ): Promise<{ result: ImageBuildResult; created: string }> {
    const outputDir = join(sandbox.root, name);
    const built = await runAos(['image', 'build', join(serviceDir, 'service.tar.gz'), '-o', outputDir, '--json'], env);
    expect(built.code).toBe(0);
    const result = JSON.parse(built.stdout) as ImageBuildResult;
    const configPath = join(outputDir, 'blobs', 'sha256', result.configDigest.slice('sha256:'.length));
    return { result, created: (JSON.parse(await readFile(configPath, 'utf8')) as { created: string }).created };
  }

  it("is the package's signing time in both, so both build the same image", async () => {
    const cloudImage = await signAndUpload('1.0.0');
    const inspect = await runAos(['inspect', join(serviceDir, 'service.tar.gz'), '--json'], sandbox.env);
    expect((JSON.parse(inspect.stdout) as InspectResult).created).toBe(SIGNED_AT.toISOString());

    const local = await buildLocally(sandbox.env, 'image');
    expect(local.created).toBe(SIGNED_AT.toISOString());
    expect(local.result.manifestDigest).toBe(cloudImage);

    // SOURCE_DATE_EPOCH in the builder's environment replaces it: another image, same layer.
    const epoch = await buildLocally({ ...sandbox.env, sourceDateEpoch: EPOCH }, 'image-epoch');
    expect(epoch.created).toBe(EPOCH.toISOString());
    expect(epoch.result.layerDigest).toBe(local.result.layerDigest);
    expect(epoch.result.manifestDigest).not.toBe(cloudImage);
  });

  it('is SOURCE_DATE_EPOCH in a cloud that has it, the same image `aos image build` makes with it', async () => {
    // As the cloud's env.ts passes SOURCE_DATE_EPOCH to startCloudCore, which puts it here.
    cloud.core.deps.sourceDateEpoch = EPOCH;
    try {
      const cloudImage = await signAndUpload('1.0.1');
      const local = await buildLocally({ ...sandbox.env, sourceDateEpoch: EPOCH }, 'image-101');
      expect(local.created).toBe(EPOCH.toISOString());
      expect(local.result.manifestDigest).toBe(cloudImage);
      expect((await buildLocally(sandbox.env, 'image-101-signed')).created).toBe(SIGNED_AT.toISOString());
    } finally {
      cloud.core.deps.sourceDateEpoch = undefined;
    }
  });
});
