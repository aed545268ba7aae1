/**
 * Monitoring through a real browser and the built cloud (PostgreSQL): a unit with an hour of
 * recorded samples shows its charts drawn with those points and the quota line, the day view
 * reads the five-minute averages, the fleet overview draws its pictures, an SP sees its own
 * instance only; and /metrics of the built server refuses a scrape without its token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { launchBrowser } from './console-fixture.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCaller,
  createContextForActor,
  recordMonitoring,
  startCloudCore,
  type Actor,
  type Role,
} from '@openaos/api';
import { TEST_PASSWORD_HASH_COST } from '@openaos/api/testing';
import { createThrowawayDatabase, schema, seedPgliteDataDir, type ThrowawayDatabase } from '@openaos/db';
import { CLOUD_START_TIMEOUT_MS, startCloudProcess, type CloudProcess } from './cloud-process.js';

const ADMIN_PASSWORD = 'admin password for tests';
const PASSWORDS = { oem: 'a long oem password', sp: 'a long sp password' } as const;
const METRICS_TOKEN = 'metrics-token-of-the-console-test';
const MIB = 1024 * 1024;
const SUBJECT = '0e0b2f4c-8a51-4f55-9a43-2a8f0f8d7e11';

interface Seeded {
  unitId: string;
  serviceId: string;
}

/** Users, a service whose version has a 64 MiB RAM quota, a unit running it, and an hour of samples. */
async function seed(dataDir: string, databaseUrl: string): Promise<Seeded> {
  if (!databaseUrl) await seedPgliteDataDir(dataDir);
  const core = await startCloudCore({
    dataDir,
    databaseUrl,
    adminPassword: ADMIN_PASSWORD,
    passwordHashCost: TEST_PASSWORD_HASH_COST,
  });
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
    const users: Record<'oem' | 'sp', Parameters<typeof as>[0]> = {} as never;
    for (const role of ['oem', 'sp'] as const) {
      const organisation = await admin.organisations.create({ name: `Acme ${role}`, kind: role });
      users[role] = (
        await admin.users.create({
          email: `${role}@acme.example`,
          name: role,
          role,
          organisationId: organisation.id,
          password: PASSWORDS[role],
        })
      ).user;
    }
    const service = await as(users.sp).services.create({ title: 'Hello' });
    await core.deps.db.insert(schema.serviceVersions).values({
      serviceId: service.id,
      version: '1.0.0',
      state: 'approved',
      configSummary: { quotas: { ramLimit: 64 * MIB } },
    });
    const unit = await as(users.oem).units.create({ systemId: 'car-1', model: 'rpi4' });
    await core.deps.db
      .update(schema.units)
      .set({ nodeInfo: [{ identity: { codename: 'main' }, totalRam: 512 * MIB, maxDmips: 0 }] })
      .where(eq(schema.units.id, unit.id));
    await core.deps.db.insert(schema.unitInstanceStatuses).values({
      unitId: unit.id,
      itemId: service.id,
      subjectId: SUBJECT,
      instance: 0,
      version: '1.0.0',
      state: 'active',
      reportedAt: new Date(),
    });
    // One sample a minute for the last 50 minutes; the instance's RAM climbs from 10 to 59 MiB.
    const now = Date.now();
    const minutes = Array.from({ length: 50 }, (_, index) => 50 - index);
    const items = (scale: number) =>
      minutes.map((ago, index) => ({
        timestamp: new Date(now - ago * 60_000).toISOString(),
        cpu: 100 + index,
        ram: (10 + index) * MIB * scale,
        partitions: [{ name: 'storage', usedSize: (1 + index) * 4096 }],
      }));
    await recordMonitoring(core.deps.db, unit.id, {
      messageType: 'monitoringData',
      nodes: [{ node: { codename: 'main' }, items: items(4) }],
      instances: [
        {
          item: { id: service.id },
          subject: { id: SUBJECT },
          instance: 0,
          node: { codename: 'main' },
          itemStates: [],
          items: items(1),
        },
      ],
    });
    return { unitId: unit.id, serviceId: service.id };
  } finally {
    await core.close();
  }
}

async function signIn(page: Page, baseUrl: string, role: 'oem' | 'sp'): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email').fill(`${role}@acme.example`);
  await page.getByLabel('Password').fill(PASSWORDS[role]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** The points of the chart's line: the vertices of its SVG path, as [x, y]. */
async function linePoints(page: Page, chartTestId: string): Promise<[number, number][]> {
  const path = page.getByTestId(chartTestId).locator('path.recharts-line-curve').first();
  await path.waitFor();
  const d = (await path.getAttribute('d')) ?? '';
  return [...d.matchAll(/[ML]\s*([\d.-]+)[ ,]([\d.-]+)/g)].map((match) => [Number(match[1]), Number(match[2])]);
}

describe('monitoring in the console (cloud on PostgreSQL, Chromium)', () => {
  let work: string;
  let database: ThrowawayDatabase;
  let cloud: CloudProcess;
  let browser: Browser;
  let seeded: Seeded;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'openaos-monitoring-console-'));
    database = await createThrowawayDatabase('postgres');
    seeded = await seed(join(work, 'data'), database.location);
    cloud = await startCloudProcess({
      dataDir: join(work, 'data'),
      env: {
        DATABASE_URL: database.location,
        OPENAOS_ADMIN_PASSWORD: ADMIN_PASSWORD,
        OPENAOS_METRICS_TOKEN: METRICS_TOKEN,
      },
    });
    browser = await launchBrowser();
  }, CLOUD_START_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
    await database?.close();
    await rm(work, { recursive: true, force: true });
  });

  it(
    'draws the unit’s charts with the recorded points and the quota, and the day from averages',
    { timeout: 180_000 },
    async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      await signIn(page, cloud.url, 'oem');
      await page.goto(`${cloud.url}/units/${seeded.unitId}`);
      const instanceRam = `chart-ram-instance:${seeded.serviceId}/${SUBJECT}/0`;
      const points = await linePoints(page, instanceRam);
      // 50 samples a minute apart, in 10-second buckets: one point each.
      expect(points).toHaveLength(50);
      expect(await page.getByTestId(instanceRam).getAttribute('data-points')).toBe('50');
      // RAM climbs: each point is drawn higher (smaller y) than the one before, left to right.
      for (let index = 1; index < points.length; index++) {
        expect(points[index]![0]).toBeGreaterThan(points[index - 1]![0]);
        expect(points[index]![1]).toBeLessThan(points[index - 1]![1]);
      }
      // The 64 MiB quota is a dashed line above the highest point (59 MiB).
      const quota = page.getByTestId(instanceRam).locator('.recharts-reference-line-line');
      expect(await quota.count()).toBe(1);
      const quotaY = Number(await quota.getAttribute('y1'));
      expect(quotaY).toBeLessThan(Math.min(...points.map(([, y]) => y)));
      expect(await page.getByTestId(instanceRam).textContent()).toContain('quota');
      // The node's charts are there too, its RAM against the node's total.
      expect(await linePoints(page, 'chart-ram-node:main')).toHaveLength(50);
      expect(await linePoints(page, `chart-disk-instance:${seeded.serviceId}/${SUBJECT}/0`)).toHaveLength(50);

      // A day: five-minute averages, so 10 or 11 points (50 minutes of samples).
      await page.getByTestId('monitoring').getByRole('button', { name: 'Day' }).click();
      await page.getByTestId(instanceRam).and(page.locator('[data-points]:not([data-points="50"])')).waitFor();
      const day = await linePoints(page, instanceRam);
      expect(day.length).toBeGreaterThanOrEqual(10);
      expect(day.length).toBeLessThanOrEqual(11);
      await page.close();
    },
  );

  it('draws the fleet overview for the OEM, and shows an SP its own instance only', { timeout: 180_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await signIn(page, cloud.url, 'oem');
    await page.getByRole('link', { name: 'Monitoring' }).click();
    await page.getByTestId('fleet-monitoring').waitFor();
    // One unit, offline: one pie sector; one active instance: one bar.
    await page.getByTestId('units-chart').locator('.recharts-pie-sector').first().waitFor();
    expect(await page.getByTestId('units-chart').textContent()).toContain('0 online, 1 offline');
    expect(await page.getByTestId('states-chart').locator('.recharts-bar-rectangle').count()).toBe(1);
    await page.getByTestId('top-ram').locator('.recharts-bar-rectangle').first().waitFor();
    expect(await page.getByTestId('top-ram').textContent()).toContain('Hello #0 @ car-1');
    await page.close();

    const sp = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await signIn(sp, cloud.url, 'sp');
    await sp.getByRole('link', { name: 'Monitoring' }).click();
    await sp.getByTestId('top-ram').getByRole('link', { name: 'Hello #0 @ car-1' }).click();
    expect(await linePoints(sp, `chart-ram-instance:${seeded.serviceId}/${SUBJECT}/0`)).toHaveLength(50);
    // No unit totals for an SP: the node's series is not there.
    expect(await sp.getByTestId('series-node:main').count()).toBe(0);
    expect(await sp.locator('[data-testid^="series-"]').count()).toBe(1);
    await sp.close();
  });

  it('serves /metrics of the built server only with its token', async () => {
    expect((await fetch(`${cloud.url}/metrics`)).status).toBe(401);
    const response = await fetch(`${cloud.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^openaos_connected_units 0$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
  });
});
