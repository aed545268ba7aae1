/**
 * End to end through a real browser: the built cloud (dist/server.js + .next, from `pnpm build`)
 * on a free port with a temp data dir; an admin makes an SP organisation and user; the SP user
 * signs in, creates a service, downloads its credential, signs a package with it and uploads
 * it like `aos upload` does, and sees the version ready in the console.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser } from './console-fixture.js';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPkcs12 } from '@openaos/pki';
import { appDirectory, CLOUD_START_TIMEOUT_MS, startCloudProcess, type CloudProcess } from './cloud-process.js';

// The built `aos` command (the root `pnpm test` builds every app first).
const cliBin = join(appDirectory, '..', 'cli', 'bin', 'aos.js');
const execFileAsync = promisify(execFile);
const ADMIN_PASSWORD = 'admin password for tests';

async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('cloud console in a browser', () => {
  let dataDir: string;
  let cloud: CloudProcess;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'openaos-console-'));
    cloud = await startCloudProcess({ dataDir, env: { OPENAOS_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    baseUrl = cloud.url;
    browser = await launchBrowser();
  }, CLOUD_START_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints where to sign in and the bootstrap admin', () => {
    expect(cloud.output()).toContain(`sign in at http://127.0.0.1:${baseUrl.split(':').at(-1)}/sign-in`);
    expect(cloud.output()).toMatch(/user:\s+admin/);
  });

  it('takes an SP user from sign-in to a ready uploaded version', { timeout: 180_000 }, async () => {
    const page = await browser.newPage({ acceptDownloads: true });

    // A wrong password shows the problem, not a crash.
    await signIn(page, baseUrl, 'admin', 'not the password');
    // Waits for the answer (a password check can take seconds on a busy machine), not a fixed second.
    await page.getByRole('alert').filter({ hasText: 'wrong email or password' }).waitFor();

    // Admin: an SP organisation and its user.
    await signIn(page, baseUrl, 'admin', ADMIN_PASSWORD);
    await page.waitForURL('**/admin');
    await page.locator('input[name="organisationName"]').fill('Acme Services');
    await page.getByRole('button', { name: 'Create organisation' }).click();
    await page.getByText('Acme Services · SP').waitFor();
    await page.locator('input[name="userEmail"]').fill('dev@acme.example');
    await page.locator('input[name="userName"]').fill('Dev');
    await page.locator('select[name="organisationId"]').selectOption({ label: 'Acme Services (SP)' });
    await page.locator('input[name="userPassword"]').fill('a long sp password');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('dev@acme.example created.').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');

    // SP user: an empty service list says what to do; a form error shows by its field.
    await signIn(page, baseUrl, 'dev@acme.example', 'a long sp password');
    await page.waitForURL('**/services');
    await page.getByText('No services yet.').waitFor();
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.locator('.field-error').filter({ hasText: 'Title is required' }).waitFor();
    await page.locator('input[name="title"]').fill('hello-world');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.waitForURL(/\/services\/[0-9a-f-]{36}$/);
    const serviceId = (await page.getByTestId('service-id').textContent())!.trim();
    expect(page.url()).toContain(serviceId);
    await page.getByText('No versions uploaded yet.').waitFor();

    // Download the credential, as a person would.
    await page.getByRole('link', { name: 'Credential' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download credential' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('aos-user-sp.p12');
    const credential = readPkcs12(await readFile((await download.path())!));

    // Sign and upload with the real `aos` command, as a new user would: the downloaded
    // credential in AOS_HOME, `aos login`, `aos init` with the Service ID, `aos go`.
    const aosHome = join(dataDir, 'aos-home');
    await mkdir(join(aosHome, 'security'), { recursive: true });
    await writeFile(join(aosHome, 'security', 'aos-user-sp.p12'), await readFile((await download.path())!), {
      mode: 0o600,
    });
    const aos = (args: string[]) =>
      execFileAsync(process.execPath, [cliBin, ...args], {
        cwd: dataDir,
        env: { ...process.env, AOS_HOME: aosHome, AOS_CLOUD_URL: '', AOS_DEBUG: '' },
      });
    await aos(['login', '--url', baseUrl]);
    await aos(['init', 'hello', '--service-uid', serviceId, '--no-dev-credential']);
    const go = JSON.parse((await aos(['go', '-C', 'hello', '--json'])).stdout) as { upload: Record<string, unknown> };
    expect(go.upload).toMatchObject({ serviceId, version: '1.0.0', state: 'ready' });
    expect(credential.certificate.subject).toContain('dev@acme.example');

    // The console shows the version ready.
    await page.goto(`${baseUrl}/services/${serviceId}`);
    const row = page.locator('tr[data-version="1.0.0"]');
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toBe('ready');

    // The next version, signed with `aos sign`, uploaded through the console's form.
    const configPath = join(dataDir, 'hello', 'meta', 'config.yaml');
    await writeFile(configPath, (await readFile(configPath, 'utf8')).replace('version: "1.0.0"', 'version: "1.0.1"'));
    const signed = join(dataDir, 'hello-1.0.1.tar.gz');
    await aos(['sign', '-C', 'hello', '-o', signed]);
    await page.locator('input[name="version"]').fill('1.0.1');
    await page.locator('input[name="file"]').setInputFiles(signed);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('Version 1.0.1 is ready.').waitFor();
    await page.locator('tr[data-version="1.0.1"]').waitFor();
    await page.close();
  });

  it('serves the unit gateway and tRPC on the same port', async () => {
    const info = await fetch(`${baseUrl}/api/trpc/system.info`);
    expect(info.status).toBe(200);
    const body = (await info.json()) as { result: { data: { caCertificatePem: string } } };
    expect(body.result.data.caCertificatePem).toContain('BEGIN CERTIFICATE');
    const anonymous = await fetch(`${baseUrl}/api/trpc/services.list`);
    expect(anonymous.status).toBe(401);
    // /ws/ is the unit gateway's: an unknown path there is refused as HTTP with a JSON reason.
    const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws/v6/`);
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      socket.once('open', () => reject(new Error('the upgrade of an unknown /ws/ path was accepted')));
    });
    socket.on('error', () => undefined);
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'not-found', message: expect.stringContaining('/ws/v7/') });
  });
});
