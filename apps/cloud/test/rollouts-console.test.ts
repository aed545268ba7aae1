/**
 * The rollouts section of the service page through a real browser: the built cloud on
 * PostgreSQL, an OEM user in Chromium. A rollout started in-process shows its status, waves and
 * history; Pause, Resume and Abort (after the browser's confirm) change it, and each decision
 * appears in the history with who took it, without a reload.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createContextForActor, startCloudCore, type Actor, type Role } from '@openaos/api';
import { createThrowawayDatabase, schema, type ThrowawayDatabase } from '@openaos/db';
import { CLOUD_START_TIMEOUT_MS, startCloudProcess, type CloudProcess } from './cloud-process.js';

const ADMIN_PASSWORD = 'admin password for tests';
const OEM_PASSWORD = 'a long oem password';

/** A service with 1.0.0 approved and 1.0.1 ready, a subject binding it to two units, and a rollout of 1.0.1. */
async function seed(dataDir: string, databaseUrl: string): Promise<{ serviceId: string; rolloutId: string }> {
  const core = await startCloudCore({ dataDir, databaseUrl, adminPassword: ADMIN_PASSWORD });
  try {
    const as = (user: { id: string; email: string; name: string; role: Role; organisationId: string | null }) =>
      createCaller(
        createContextForActor(core.deps, {
          userId: user.id,
          email: user.email,
          name: user.name,
          role: user.role,
          organisationId: user.organisationId,
          organisationName: null,
          via: 'session',
        } satisfies Actor),
      );
    const adminRow = (await core.deps.db.select().from(schema.users)).find((user) => user.email === 'admin');
    if (!adminRow) throw new Error('the first start should have created the admin');
    const admin = as(adminRow);
    const oemOrganisation = await admin.organisations.create({ name: 'Acme Cars', kind: 'oem' });
    const spOrganisation = await admin.organisations.create({ name: 'Acme Services', kind: 'sp' });
    const { user: oemUser } = await admin.users.create({
      email: 'oem@acme.example',
      name: 'OEM',
      role: 'oem',
      organisationId: oemOrganisation.id,
      password: OEM_PASSWORD,
    });
    const { user: spUser } = await admin.users.create({
      email: 'sp@acme.example',
      name: 'SP',
      role: 'sp',
      organisationId: spOrganisation.id,
      password: 'a long sp password',
    });
    const oem = as(oemUser);
    const service = await as(spUser).services.create({ title: 'Hello' });
    const [, next] = await core.deps.db
      .insert(schema.serviceVersions)
      .values([
        { serviceId: service.id, version: '1.0.0', state: 'approved' },
        { serviceId: service.id, version: '1.0.1', state: 'ready' },
      ])
      .returning();
    const subject = await oem.subjects.create({ name: 'fleet' });
    const units = await Promise.all(
      ['car-1', 'car-2'].map((systemId) => oem.units.create({ systemId, model: 'rpi4' })),
    );
    await oem.subjects.bind({ id: subject.id, serviceIds: [service.id], unitIds: units.map((unit) => unit.id) });
    const [rollout] = await oem.rollouts.start({
      versionId: next!.id,
      plan: { waves: [{ count: 1 }, { percent: 100 }] },
    });
    return { serviceId: service.id, rolloutId: rollout!.id };
  } finally {
    await core.close();
  }
}

async function signIn(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email').fill('oem@acme.example');
  await page.getByLabel('Password').fill(OEM_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

describe('rollouts on the service page in a browser (cloud on PostgreSQL)', () => {
  let work: string;
  let database: ThrowawayDatabase;
  let cloud: CloudProcess;
  let browser: Browser;
  let seeded: { serviceId: string; rolloutId: string };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'openaos-rollouts-console-'));
    database = await createThrowawayDatabase('postgres');
    seeded = await seed(join(work, 'data'), database.location);
    cloud = await startCloudProcess({
      dataDir: join(work, 'data'),
      env: { DATABASE_URL: database.location, OPENAOS_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  }, CLOUD_START_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
    await database?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('shows the rollout live and pauses, resumes and aborts it', { timeout: 180_000 }, async () => {
    const page = await browser.newPage();
    await signIn(page, cloud.url);
    await page.goto(`${cloud.url}/services/${seeded.serviceId}`);
    const row = page.getByTestId('rollouts').locator(`tr[data-rollout="${seeded.rolloutId}"]`);
    await row.locator('.badge', { hasText: 'running' }).waitFor();
    expect(await row.textContent()).toMatch(/1\.0\.1\s*fleet\s*running\s*1\/2/);
    const detail = page.getByTestId('rollout-detail');
    expect(await detail.getByTestId('rollout-waves').locator('tr[data-wave="1"]').textContent()).toMatch(/1\s*yes\s*1/);
    const history = detail.getByTestId('rollout-history');
    await history.getByText(/1\.0\.1 to 2 unit\(s\) in 2 wave\(s\)/).waitFor();

    await detail.getByRole('button', { name: 'Pause' }).click();
    await row.locator('.badge', { hasText: 'paused' }).waitFor();
    await history.locator('li[data-kind="paused"]', { hasText: 'paused by oem@acme.example' }).waitFor();

    await detail.getByRole('button', { name: 'Resume' }).click();
    await row.locator('.badge', { hasText: 'running' }).waitFor();
    await history.locator('li[data-kind="resumed"]').waitFor();

    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await detail.getByRole('button', { name: 'Abort' }).click();
    await row.locator('.badge', { hasText: 'aborted' }).waitFor();
    expect(question).toMatch(/^Abort the rollout of 1\.0\.1/);
    await history.locator('li[data-kind="aborted"]', { hasText: 'aborted by oem@acme.example' }).waitFor();
    expect(await detail.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    const [stored] = await database.db.select().from(schema.rollouts).where(eq(schema.rollouts.id, seeded.rolloutId));
    expect(stored?.status).toBe('aborted');
    await page.close();
  });
});
