/**
 * The unit pages through a real browser: the built cloud on PostgreSQL (so this test can write
 * the unit status rows the gateway writes, while the cloud runs), an OEM user in Chromium.
 * Units show offline with "last seen" or online from the cloud process's lease; the Provision
 * dialog shows the device command; a unit page shows an instance's failure reason; rows changed
 * in the database and announced as the gateway does appear without a reload (server-sent events); Revoke asks and revokes; a service shows its counts.
 */
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNIT_EVENTS_CHANNEL } from '@openaos/api';
import { schema, type ThrowawayDatabase } from '@openaos/db';
import { CLOUD_START_TIMEOUT_MS, type CloudProcess } from './cloud-process.js';
import { signIn as signInAs, startConsole, type ConsoleFixture, type SeedContext } from './console-fixture.js';

const OEM_PASSWORD = 'a long oem password';
const SUBJECT_ID_TEXT = 'fleet';

interface Seeded {
  serviceId: string;
  subjectId: string;
  offlineUnitId: string;
  onlineUnitId: string;
}

/** Organisations, users, a service with an approved version, a subject and two units, in-process. */
async function seed({ deps, as, addUser }: SeedContext): Promise<Seeded> {
  const oemUser = await addUser('oem', 'Acme Cars', 'oem@acme.example', OEM_PASSWORD, 'OEM');
  const spUser = await addUser('sp', 'Acme Services', 'sp@acme.example', 'a long sp password', 'SP');
  const service = await as(spUser).services.create({ title: 'Hello' });
  await deps.db.insert(schema.serviceVersions).values({ serviceId: service.id, version: '1.0.0', state: 'approved' });
  const subject = await as(oemUser).subjects.create({ name: SUBJECT_ID_TEXT });
  const offline = await as(oemUser).units.create({ systemId: 'car-1', model: 'rpi4' });
  const online = await as(oemUser).units.create({ systemId: 'car-2', model: 'rpi4' });
  return { serviceId: service.id, subjectId: subject.id, offlineUnitId: offline.id, onlineUnitId: online.id };
}

const signIn = (page: Page, baseUrl: string) => signInAs(page, baseUrl, 'oem@acme.example', OEM_PASSWORD);

describe('unit pages in a browser (cloud on PostgreSQL)', () => {
  let fixture: ConsoleFixture<Seeded>;
  let database: ThrowawayDatabase;
  let cloud: CloudProcess;
  let browser: Browser;
  let seeded: Seeded;
  let cloudProcessId: string;
  /** What the gateway does after writing a unit's rows: tell every cloud process (the live views) to look again. */
  const announceStatusChanged = async (unitId: string) => {
    await database.db.execute(
      sql`select pg_notify(${UNIT_EVENTS_CHANNEL}, ${JSON.stringify({ kind: 'status-changed', unitIds: [unitId] })})`,
    );
  };

  beforeAll(async () => {
    fixture = await startConsole({ name: 'unit-console', seed });
    ({ database, seeded, cloud, browser } = fixture);
    const processes = await database.db.select().from(schema.cloudProcesses);
    expect(processes).toHaveLength(1);
    cloudProcessId = processes[0]!.id;
    const { db } = database;
    const reportedAt = new Date('2026-03-01T10:00:00Z');
    await db
      .update(schema.units)
      .set({ lastSeenAt: new Date('2026-02-01T08:00:00Z') })
      .where(eq(schema.units.id, seeded.offlineUnitId));
    await db
      .update(schema.units)
      .set({
        state: 'provisioned',
        provisionedAt: reportedAt,
        connection: 'online',
        connectedProcess: cloudProcessId,
        lastSeenAt: reportedAt,
      })
      .where(eq(schema.units.id, seeded.onlineUnitId));
    await db.insert(schema.unitDesiredStatuses).values({
      unitId: seeded.onlineUnitId,
      generation: 4,
      digest: 'd4',
      issuedAt: reportedAt,
      document: {
        items: [{ item: { id: seeded.serviceId, type: 'service', codename: 'Hello' }, version: '1.0.0' }],
        instances: [{ item: { id: seeded.serviceId }, subject: { id: seeded.subjectId }, numInstances: 1 }],
      },
    });
    await db.insert(schema.unitItemStatuses).values({
      unitId: seeded.onlineUnitId,
      itemId: seeded.serviceId,
      version: '1.0.0',
      state: 'installed',
      reportedAt,
    });
    await db.insert(schema.unitInstanceStatuses).values({
      unitId: seeded.onlineUnitId,
      itemId: seeded.serviceId,
      subjectId: seeded.subjectId,
      instance: 0,
      version: '1.0.0',
      state: 'failed',
      errorInfo: { message: 'python3: not found', exitCode: 127 },
      reportedAt,
    });
  }, CLOUD_START_TIMEOUT_MS);

  afterAll(async () => {
    await fixture?.close();
  });

  it(
    'shows units offline with last seen or online, provisions, and follows changes without a reload',
    { timeout: 180_000 },
    async () => {
      const page = await browser.newPage();
      await signIn(page, cloud.url);
      await page.getByRole('link', { name: 'Units' }).click();
      const car1 = page.locator('tr[data-system-id="car-1"]');
      const car2 = page.locator('tr[data-system-id="car-2"]');
      await car1.getByText('offline').waitFor();
      expect(await car1.getByTestId('connection').textContent()).toMatch(/offline\s*last seen .*2026/);
      await car2.getByTestId('connection').getByText('online').waitFor();
      expect(await car2.locator('.badge').first().textContent()).toBe('provisioned');

      // Provision: the dialog shows the exact command; the cloud stored only the token's hash.
      await car1.getByRole('button', { name: 'Provision' }).click();
      const dialog = page.getByRole('dialog', { name: 'Provision unit car-1' });
      await dialog.getByRole('button', { name: 'Create token' }).click();
      const command = (await dialog.getByTestId('provision-command').textContent())!.trim();
      const token = (await dialog.getByTestId('provision-token').textContent())!.trim();
      expect(command).toBe(`aos-agent provision --cloud ${cloud.url} --token ${token} --system-id car-1`);
      const stored = await database.db
        .select()
        .from(schema.provisioningTokens)
        .where(eq(schema.provisioningTokens.unitId, seeded.offlineUnitId));
      expect(stored.map((row) => row.tokenHash)).toEqual([createHash('sha256').update(token).digest('hex')]);
      await dialog.getByRole('button', { name: 'Close' }).click();

      // The gateway marks car-1 online: the page shows it without a reload.
      await database.db
        .update(schema.units)
        .set({ state: 'provisioned', connection: 'online', connectedProcess: cloudProcessId, lastSeenAt: new Date() })
        .where(eq(schema.units.id, seeded.offlineUnitId));
      await announceStatusChanged(seeded.offlineUnitId);
      await car1.getByTestId('connection').getByText('online').waitFor();
      await page.close();
    },
  );

  it(
    'shows a unit with its instance failure reason, follows the fix live, and revokes after confirmation',
    { timeout: 180_000 },
    async () => {
      const page = await browser.newPage();
      await signIn(page, cloud.url);
      await page.goto(`${cloud.url}/units/${seeded.onlineUnitId}`);
      const instances = page.getByTestId('instances');
      await instances.getByText('python3: not found (exit code 127)').waitFor();
      expect(await page.getByTestId('desired').textContent()).toMatch(/generation 4, .*Hello 1\.0\.0/);
      expect(await instances.locator('tr', { hasText: SUBJECT_ID_TEXT }).locator('.badge').textContent()).toBe(
        'failed',
      );

      // The unit reports the instance active: the reason goes, without a reload.
      await database.db
        .update(schema.unitInstanceStatuses)
        .set({ state: 'active', errorInfo: null, reportedAt: new Date() })
        .where(eq(schema.unitInstanceStatuses.unitId, seeded.onlineUnitId));
      await database.db.insert(schema.unitStatusEvents).values({
        unitId: seeded.onlineUnitId,
        at: new Date(),
        kind: 'instance',
        subject: `${seeded.serviceId}/${SUBJECT_ID_TEXT}/0`,
        state: 'active',
        version: '1.0.0',
      });
      await announceStatusChanged(seeded.onlineUnitId);
      await instances.locator('.badge', { hasText: 'active' }).waitFor();
      expect(await instances.getByTestId('reason').count()).toBe(0);
      // The history names the service and subject, not their IDs.
      const history = page.getByTestId('history').locator('tr', { hasText: 'instance' }).first();
      expect(await history.textContent()).toContain(`Hello · ${SUBJECT_ID_TEXT} #0 1.0.0`);

      // Revoke asks first (the browser's confirm), then revokes.
      let question = '';
      page.once('dialog', (dialog) => {
        question = dialog.message();
        void dialog.accept();
      });
      await page.getByRole('button', { name: 'Revoke' }).click();
      await page.getByText('provision it again to bring it back').waitFor();
      expect(question).toMatch(/^Revoke unit car-2\?/);
      const after = await database.db.select().from(schema.units).where(eq(schema.units.id, seeded.onlineUnitId));
      expect(after[0]?.revokedAt).not.toBeNull();

      // The service page counts the unit per version.
      await page.goto(`${cloud.url}/services/${seeded.serviceId}`);
      const row = page.getByTestId('rollout').locator('tr[data-version="1.0.0"]');
      await row.waitFor();
      expect(await row.locator('[data-count="desired"]').textContent()).toBe('1');
      expect(await row.locator('[data-count="installed"]').textContent()).toBe('1');
      expect(await row.locator('[data-count="active"]').textContent()).toBe('1');
      expect(await row.locator('[data-count="failed"]').textContent()).toBe('0');
      await page.close();
    },
  );
});
