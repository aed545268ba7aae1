/**
 * The rollouts section of the service page through a real browser: the built cloud on
 * PostgreSQL, an OEM user in Chromium. A rollout started in-process shows its status, waves and
 * history; Pause, Resume and Abort (after the browser's confirm) change it, and each decision
 * appears in the history with who took it, without a reload.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { CLOUD_START_TIMEOUT_MS, type CloudProcess } from './cloud-process.js';
import { signIn as signInAs, startConsole, type ConsoleFixture, type SeedContext } from './console-fixture.js';
import type { Browser, Page } from 'playwright-core';

const OEM_PASSWORD = 'a long oem password';

/** A service with 1.0.0 approved and 1.0.1 ready, a subject binding it to two units, and a rollout of 1.0.1. */
async function seed({ deps, as, addUser }: SeedContext): Promise<{ serviceId: string; rolloutId: string }> {
  const oemUser = await addUser('oem', 'Acme Cars', 'oem@acme.example', OEM_PASSWORD, 'OEM');
  const spUser = await addUser('sp', 'Acme Services', 'sp@acme.example', 'a long sp password', 'SP');
  const oem = as(oemUser);
  const service = await as(spUser).services.create({ title: 'Hello' });
  const [, next] = await deps.db
    .insert(schema.serviceVersions)
    .values([
      { serviceId: service.id, version: '1.0.0', state: 'approved' },
      { serviceId: service.id, version: '1.0.1', state: 'ready' },
    ])
    .returning();
  const subject = await oem.subjects.create({ name: 'fleet' });
  const units = await Promise.all(['car-1', 'car-2'].map((systemId) => oem.units.create({ systemId, model: 'rpi4' })));
  await oem.subjects.bind({ id: subject.id, serviceIds: [service.id], unitIds: units.map((unit) => unit.id) });
  const [rollout] = await oem.rollouts.start({
    versionId: next!.id,
    plan: { waves: [{ count: 1 }, { percent: 100 }] },
  });
  return { serviceId: service.id, rolloutId: rollout!.id };
}

const signIn = (page: Page, baseUrl: string) => signInAs(page, baseUrl, 'oem@acme.example', OEM_PASSWORD);

describe('rollouts on the service page in a browser (cloud on PostgreSQL)', () => {
  let fixture: ConsoleFixture<{ serviceId: string; rolloutId: string }>;
  let cloud: CloudProcess;
  let browser: Browser;
  let seeded: { serviceId: string; rolloutId: string };
  let database: ConsoleFixture<unknown>['database'];

  beforeAll(async () => {
    fixture = await startConsole({ name: 'rollouts-console', seed });
    ({ cloud, browser, seeded, database } = fixture);
  }, CLOUD_START_TIMEOUT_MS);

  afterAll(async () => {
    await fixture?.close();
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
