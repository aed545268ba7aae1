/**
 * The live console in a real browser: the built cloud on PostgreSQL, an OEM user in Chromium on a
 * unit page and the fleet alerts page. Rows are written as the gateway writes them and announced
 * as it announces them (NOTIFY on the unit events channel): the pages follow a unit's status and
 * its alerts without a reload, over server-sent events (no polling: nothing is fetched between
 * changes), and an SP user's alerts page hears nothing of the OEM's units.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { launchBrowser, signIn } from './console-fixture.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCaller,
  createContextForActor,
  startCloudCore,
  UNIT_EVENTS_CHANNEL,
  type Actor,
  type UnitEventKind,
} from '@openaos/api';
import { TEST_PASSWORD_HASH_COST } from '@openaos/api/testing';
import { createThrowawayDatabase, schema, seedPgliteDataDir, type ThrowawayDatabase } from '@openaos/db';
import { CLOUD_START_TIMEOUT_MS, startCloudProcess, type CloudProcess } from './cloud-process.js';

const ADMIN_PASSWORD = 'admin password for tests';
const PASSWORD = 'a long enough password';

async function seed(dataDir: string, databaseUrl: string) {
  if (!databaseUrl) await seedPgliteDataDir(dataDir);
  const core = await startCloudCore({
    dataDir,
    databaseUrl,
    adminPassword: ADMIN_PASSWORD,
    passwordHashCost: TEST_PASSWORD_HASH_COST,
  });
  try {
    const as = (user: {
      id: string;
      email: string;
      name: string;
      role: Actor['role'];
      organisationId: string | null;
    }) =>
      createCaller(
        createContextForActor(core.deps, {
          userId: user.id,
          email: user.email,
          name: user.name,
          role: user.role,
          organisationId: user.organisationId,
          organisationName: null,
          via: 'session',
        }),
      );
    const adminRow = (await core.deps.db.select().from(schema.users)).find((user) => user.email === 'admin');
    if (!adminRow) throw new Error('the first start should have created the admin');
    const admin = as(adminRow);
    const oemOrganisation = await admin.organisations.create({ name: 'Acme Cars', kind: 'oem' });
    const spOrganisation = await admin.organisations.create({ name: 'Acme Services', kind: 'sp' });
    const { user: oem } = await admin.users.create({
      email: 'oem@acme.example',
      name: 'OEM',
      role: 'oem',
      organisationId: oemOrganisation.id,
      password: PASSWORD,
    });
    const { user: sp } = await admin.users.create({
      email: 'sp@acme.example',
      name: 'SP',
      role: 'sp',
      organisationId: spOrganisation.id,
      password: PASSWORD,
    });
    const service = await as(sp).services.create({ title: 'Hello' });
    const unit = await as(oem).units.create({ systemId: 'car-1', model: 'rpi4' });
    return { unitId: unit.id, serviceId: service.id };
  } finally {
    await core.close();
  }
}

describe('live console in a browser (cloud on PostgreSQL)', () => {
  let work: string;
  let database: ThrowawayDatabase;
  let cloud: CloudProcess;
  let browser: Browser;
  let seeded: { unitId: string; serviceId: string };

  /** What the gateway does after writing a unit's rows. */
  const announce = async (kind: UnitEventKind, serviceIds?: string[]) => {
    const payload = { kind, unitIds: [seeded.unitId], ...(serviceIds ? { serviceIds } : {}) };
    await database.db.execute(sql`select pg_notify(${UNIT_EVENTS_CHANNEL}, ${JSON.stringify(payload)})`);
  };
  const recordAlert = (values: Partial<typeof schema.unitAlerts.$inferInsert>) => {
    const now = new Date();
    return database.db.insert(schema.unitAlerts).values({
      unitId: seeded.unitId,
      kind: 'instance-quota',
      tag: 'instanceQuotaAlert',
      serviceId: seeded.serviceId,
      subjectId: 'fleet',
      instance: 0,
      parameter: 'ram',
      value: 50_000_000,
      peak: 50_000_000,
      state: 'raise',
      active: true,
      raisedAt: now,
      lastAt: now,
      receivedAt: now,
      payload: {},
      ...values,
    });
  };
  /** Marks the page: a reload would lose the mark. */
  const mark = (page: Page) => page.evaluate(() => ((globalThis as unknown as { liveMark: number }).liveMark = 1));
  const isMarked = (page: Page) => page.evaluate(() => (globalThis as unknown as { liveMark?: number }).liveMark === 1);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'openaos-live-console-'));
    database = await createThrowawayDatabase('postgres');
    seeded = await seed(join(work, 'data'), database.location);
    cloud = await startCloudProcess({
      dataDir: join(work, 'data'),
      env: { DATABASE_URL: database.location, OPENAOS_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    browser = await launchBrowser();
  }, CLOUD_START_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
    await database?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('follows a unit’s status and alerts without a reload or polling', { timeout: 180_000 }, async () => {
    const page = await browser.newPage();
    await signIn(page, cloud.url, 'oem@acme.example', PASSWORD);
    await page.goto(`${cloud.url}/units/${seeded.unitId}`);
    await page.getByTestId('alerts').getByText('No alerts.').waitFor();
    await page.getByTestId('connection').getByText('offline').waitFor();
    await mark(page);
    const calls: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/trpc/')) calls.push(new URL(request.url()).pathname);
    });

    // An alert comes: the unit page lists it, active.
    await recordAlert({});
    await announce('alerts-changed', [seeded.serviceId]);
    const row = page.getByTestId('alert-list').locator('tr[data-alert-kind="instance-quota"]');
    await row.waitFor();
    expect(await row.getAttribute('data-active')).toBe('true');
    expect(await row.textContent()).toMatch(/Hello #0.*ram at 47\.7 MiB/);

    // It falls: shown as fallen, still without a reload.
    await database.db.update(schema.unitAlerts).set({ active: false, state: 'fall', fallenAt: new Date() });
    await announce('alerts-changed', [seeded.serviceId]);
    await page.locator('tr[data-active="false"]').waitFor();
    expect(await row.locator('.badge').textContent()).toBe('fall');

    // The unit connects: the status follows.
    const processes = await database.db.select().from(schema.cloudProcesses);
    await database.db
      .update(schema.units)
      .set({ state: 'provisioned', connection: 'online', connectedProcess: processes[0]!.id, lastSeenAt: new Date() })
      .where(eq(schema.units.id, seeded.unitId));
    await announce('status-changed');
    await page.getByTestId('connection').getByText('online').waitFor();
    expect(await isMarked(page)).toBe(true);
    // Three changes, and what was fetched was fetched because of them: no timer polls.
    const fetched = calls.length;
    expect(calls.some((path) => path.includes('alerts.list'))).toBe(true);
    expect(calls.some((path) => path.includes('units.status'))).toBe(true);
    // An absence needs a window to be seen in: the 2.5 s poll this replaced would show within it.
    await page.waitForTimeout(3000);
    expect(calls.length).toBe(fetched);
    await page.close();
  });

  it('lists a service created elsewhere (the CLI, a colleague) without a reload', { timeout: 180_000 }, async () => {
    const page = await browser.newPage();
    await signIn(page, cloud.url, 'sp@acme.example', PASSWORD);
    await page.goto(`${cloud.url}/services`);
    await page.getByRole('cell', { name: 'Hello' }).waitFor();
    await mark(page);
    // Made through the API with the same session, as another tab or a script would.
    const cookie = (await page.context().cookies()).map(({ name, value }) => `${name}=${value}`).join('; ');
    const response = await fetch(`${cloud.url}/api/trpc/services.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: cloud.url },
      body: JSON.stringify({ title: 'Made elsewhere' }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    await page.getByRole('cell', { name: 'Made elsewhere' }).waitFor({ timeout: 10_000 });
    expect(await isMarked(page)).toBe(true);
    await page.close();
  });

  it('shows the fleet alerts page live, and the SP only its own services’ alerts', { timeout: 180_000 }, async () => {
    const oemPage = await browser.newPage();
    await signIn(oemPage, cloud.url, 'oem@acme.example', PASSWORD);
    await oemPage.getByRole('link', { name: 'Alerts' }).click();
    await oemPage.getByRole('heading', { name: 'Alerts' }).waitFor();
    await oemPage.getByTestId('alerts').locator('table, .empty').first().waitFor();
    const spPage = await browser.newPage();
    await signIn(spPage, cloud.url, 'sp@acme.example', PASSWORD);
    await spPage.getByRole('link', { name: 'Alerts' }).click();
    await spPage.getByTestId('alerts').locator('table, .empty').first().waitFor();
    await mark(oemPage);
    await mark(spPage);
    const spRows = await spPage.getByTestId('alert-list').locator('tbody tr').count();

    // A system alert of the OEM's unit: the OEM's page shows it; the SP's does not (not its business).
    await recordAlert({
      kind: 'system',
      tag: 'systemAlert',
      serviceId: null,
      instance: null,
      parameter: null,
      value: null,
      peak: null,
      state: null,
      active: false,
      nodeId: 'main',
      message: 'disk almost full',
    });
    await announce('alerts-changed');
    await oemPage.getByText('disk almost full').waitFor();
    expect(await oemPage.getByText('car-1 · node main').count()).toBeGreaterThan(0);
    // An instance alert of the SP's service: both see it; the SP without the unit.
    await recordAlert({
      kind: 'instance',
      tag: 'updateItemInstanceAlert',
      parameter: '1.0.0',
      value: null,
      peak: null,
      state: null,
      active: false,
      message: 'instance 0 of version 1.0.0 failed: exit code 3',
    });
    await announce('alerts-changed', [seeded.serviceId]);
    await spPage.getByText('instance 0 of version 1.0.0 failed: exit code 3').waitFor();
    await oemPage.getByText('instance 0 of version 1.0.0 failed: exit code 3').waitFor();
    expect(await spPage.getByText('disk almost full').count()).toBe(0);
    expect(await spPage.getByText('car-1').count()).toBe(0);
    expect(await spPage.getByTestId('alert-list').locator('tbody tr').count()).toBe(spRows + 1);
    expect(await isMarked(oemPage)).toBe(true);
    expect(await isMarked(spPage)).toBe(true);
    await oemPage.close();
    await spPage.close();
  });
});
