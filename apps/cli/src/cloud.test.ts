import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoResult } from './commands/go.js';
import type { InspectResult } from './commands/inspect.js';
import type { LoginResult } from './commands/login.js';
import type { ServiceDetail, ServiceSummary } from './commands/service.js';
import type { SubjectView } from './commands/subject.js';
import { runCredentialsDev } from './commands/credentials-dev.js';
import { readEnvironment } from './env.js';
import { createSandbox, runAos } from './testing/capture-io.js';
import { startTestCloud, type TestCloud } from './testing/start-test-cloud.js';

describe('aos cloud commands against a real cloud core over HTTP', () => {
  let cloud: TestCloud;
  let sandbox: Awaited<ReturnType<typeof createSandbox>>;
  let oemPkcs12: string;
  let serviceId: string;
  let serviceDir: string;

  beforeAll(async () => {
    cloud = await startTestCloud();
    sandbox = await createSandbox();
    const sp = await cloud.addUser('sp', 'Acme Services', 'sp@acme.test');
    const oem = await cloud.addUser('oem', 'Acme Cars', 'oem@acme.test');
    await mkdir(join(sandbox.aosHome, 'security'), { recursive: true });
    await writeFile(join(sandbox.aosHome, 'security', 'aos-user-sp.p12'), sp.pkcs12);
    oemPkcs12 = join(sandbox.root, 'oem.p12');
    await writeFile(oemPkcs12, oem.pkcs12);
    serviceDir = join(sandbox.root, 'svc');
  });
  afterAll(async () => {
    await cloud?.close();
    await sandbox?.cleanup();
  });

  it('login checks the credential with the cloud and remembers the address and CA', async () => {
    const result = await runAos(['login', '--url', cloud.url, '--json'], sandbox.env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const login = JSON.parse(result.stdout) as LoginResult;
    expect(login.user.email).toBe('sp@acme.test');
    expect(login.user.role).toBe('sp');
    const settings = JSON.parse(await readFile(join(sandbox.aosHome, 'cloud.json'), 'utf8')) as { url: string };
    expect(settings.url).toBe(cloud.url);
    expect(await readFile(join(sandbox.aosHome, 'cloud-ca.pem'), 'utf8')).toBe(
      cloud.core.deps.authority.ca.certificatePem,
    );
  });

  it('an unexpected failure still says which command failed, without a stack trace', async () => {
    // AOS_HOME is a file: login reaches the cloud, then cannot save its settings.
    const fileHome = join(sandbox.root, 'not-a-folder');
    await writeFile(fileHome, 'x');
    const result = await runAos(
      ['login', '--url', cloud.url, '--pkcs12', join(sandbox.aosHome, 'security', 'aos-user-sp.p12')],
      readEnvironment({ AOS_HOME: fileHome }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^aos: running `aos login`: /);
    expect(result.stderr).toContain('AOS_DEBUG=1');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a credential the cloud did not issue is refused with exit 1 and a hint', async () => {
    const stranger = await createSandbox();
    try {
      await runCredentialsDev({ aosHome: stranger.aosHome });
      const result = await runAos(['service', 'list', '--url', cloud.url], stranger.env);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^aos: listing services: .*HTTP 401/);
      expect(result.stderr).toContain('hint: the cloud did not accept your credential');
      // No cloud at all: says it cannot reach it.
      const away = await runAos(['service', 'list', '--url', 'http://127.0.0.1:9'], stranger.env);
      expect(away.code).toBe(1);
      expect(away.stderr).toContain('cannot reach http://127.0.0.1:9');
    } finally {
      await stranger.cleanup();
    }
  });

  it('service create prints the Service ID; init, go signs and uploads; the cloud builds it', async () => {
    const created = await runAos(
      ['service', 'create', '--title', 'Hello', '--description', 'hello world', '--json'],
      sandbox.env,
    );
    expect(created.code).toBe(0);
    serviceId = (JSON.parse(created.stdout) as ServiceSummary).id;
    expect(serviceId).toMatch(/^[0-9a-f-]{36}$/);

    expect((await runAos(['init', serviceDir, '--service-uid', serviceId], sandbox.env)).code).toBe(0);
    const go = await runAos(['go', '-C', serviceDir, '--json'], sandbox.env);
    expect(go.stderr).toBe('');
    expect(go.code).toBe(0);
    const result = JSON.parse(go.stdout) as GoResult;
    expect(result.upload.serviceId).toBe(serviceId);
    expect(result.upload.version).toBe('1.0.0');
    expect(result.upload.state).toBe('ready');

    const list = JSON.parse((await runAos(['service', 'list', '--json'], sandbox.env)).stdout) as ServiceSummary[];
    expect(list.find((service) => service.id === serviceId)?.latestVersion).toBe('1.0.0');
    const show = await runAos(['service', 'show', serviceId], sandbox.env);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/1\.0\.0\s+\S+\s+ready/);
    const detail = JSON.parse(
      (await runAos(['service', 'show', serviceId, '--json'], sandbox.env)).stdout,
    ) as ServiceDetail;
    expect(detail.versions[0]?.imageDigest).toMatch(/^sha256:/);
  });

  it('uploading the same version again is refused (409) with the hint to raise the version', async () => {
    const result = await runAos(['upload', '-C', serviceDir], sandbox.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HTTP 409');
    expect(result.stderr).toContain('raise publish.version');
  });

  it('a newer version uploads, with an upload progress bar on a terminal', async () => {
    const configPath = join(serviceDir, 'meta', 'config.yaml');
    const config = await readFile(configPath, 'utf8');
    const bumped = config.replace(/^(\s*)version:.*$/m, '$1version: "1.0.1"');
    expect(bumped).not.toBe(config);
    await writeFile(configPath, bumped);
    expect((await runAos(['sign', '-C', serviceDir, '-q'], sandbox.env)).code).toBe(0);
    const result = await runAos(['upload', '-C', serviceDir], sandbox.env, { isTTY: true });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/\rupload +\[[#-]+\] +\d+%.* of /);
    expect(result.stdout).toContain('version:  1.0.1');
  });

  it('inspect trusts the cloud CA saved by login', async () => {
    const result = await runAos(['inspect', join(serviceDir, 'service.tar.gz'), '--json'], sandbox.env);
    expect(result.code).toBe(0);
    const inspect = JSON.parse(result.stdout) as InspectResult;
    expect(inspect.verified).toBe(true);
    expect(inspect.trustSources).toContain(join(sandbox.aosHome, 'cloud-ca.pem'));
  });

  it('an OEM registers a unit, creates a subject and binds the service to the unit', async () => {
    const oem = ['--pkcs12', oemPkcs12, '--json'];
    const unit = JSON.parse(
      (await runAos(['unit', 'create', '--system-id', 'unit-0001', '--model', 'dev-board', ...oem], sandbox.env))
        .stdout,
    ) as { id: string };
    expect(unit.id).toBeTruthy();
    const units = await runAos(['unit', 'list', '--pkcs12', oemPkcs12], sandbox.env);
    expect(units.stdout).toContain('unit-0001');
    const subject = JSON.parse(
      (await runAos(['subject', 'create', '--name', 'fleet', ...oem], sandbox.env)).stdout,
    ) as { id: string };
    const bind = await runAos(
      ['subject', 'bind', subject.id, '--service', serviceId, '--unit', unit.id, ...oem],
      sandbox.env,
    );
    expect(bind.code).toBe(0);
    const subjects = JSON.parse((await runAos(['subject', 'list', ...oem], sandbox.env)).stdout) as SubjectView[];
    const fleet = subjects.find((item) => item.id === subject.id);
    expect(fleet?.services.map((service) => service.id)).toEqual([serviceId]);
    expect(fleet?.units.map((item) => item.systemId)).toEqual(['unit-0001']);
    // The OEM approves the newest version for the fleet.
    const versions = JSON.parse((await runAos(['version', 'list', serviceId, ...oem], sandbox.env)).stdout) as {
      id: string;
      version: string;
      state: string;
    }[];
    expect(versions.map((item) => item.version)).toEqual(['1.0.1', '1.0.0']);
    const approve = await runAos(['version', 'approve', versions[0]!.id, '--pkcs12', oemPkcs12], sandbox.env);
    expect(approve.code).toBe(0);
    const listed = await runAos(['version', 'list', serviceId], sandbox.env);
    expect(listed.stdout).toMatch(/1\.0\.1\s+\S+\s+approved/);
    // An SP may not manage units: 403 with the role hint.
    const forbidden = await runAos(['unit', 'list'], sandbox.env);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain('HTTP 403');
  });
});
