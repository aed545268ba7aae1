/**
 * The whole-flow story walked through the console in Chromium, as the SP and as the OEM, with a
 * screenshot of each step: the built cloud on PGlite, a real agent running the service under runc,
 * the story driven with `aos` as whole-flow.test.ts drives it. The SP sees its service, the version
 * it uploaded, that version active on a unit, its instance's log and metrics, the update to 1.0.1
 * and the broken 1.0.2 rolled back with its reason; the OEM sees the unit online, the unit set, the
 * subject and its bindings, and the unit's instances. Needs root, runc, Chromium and `pnpm build`.
 *
 * Screenshots go to $OPENAOS_WALKTHROUGH_DIR, else <tmp>/openaos-console-walkthrough-<pid>/ (kept,
 * the path is printed): look at them. A few are checked in as docs/images/walkthrough-*.png.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_START_TIMEOUT_MS } from './cloud-process.js';
import { launchBrowser, screenshotter, setPasswordOverHttp, signIn } from './console-fixture.js';
import { FLEET_ADMIN_PASSWORD, startFleet, type Fleet } from './fleet/fleet.js';
import { createUnit, type TestUnit } from './fleet/unit.js';

const SETTLE_TIMEOUT_MS = 180_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const PASSWORD = 'a long walkthrough password';
const SP_EMAIL = 'sp@fleet.example';
const OEM_EMAIL = 'oem@fleet.example';

interface UnitStatus {
  unit: { connection: string };
  items: { serviceId: string; version: string; state: string; errorInfo: { message?: string } | null }[];
  instances: { serviceId: string; version: string; state: string }[];
}

describe('the whole flow in the console, as the SP and the OEM (Chromium, real agent)', () => {
  const shots = process.env.OPENAOS_WALKTHROUGH_DIR ?? join(tmpdir(), `openaos-console-walkthrough-${process.pid}`);
  const shoot = screenshotter(shots);
  let fleet: Fleet;
  let unit: TestUnit;
  let browser: Browser;
  let sp: Page;
  let oem: Page;
  let serviceId = '';
  let directory = '';

  async function waitForStatus(what: string, check: (status: UnitStatus) => boolean): Promise<UnitStatus> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      const status = (await fleet.aosJson<{ unit: UnitStatus }>(['status', '--unit', unit.systemId])).unit;
      if (check(status)) return status;
      if (Date.now() > deadline || unit.hasExited())
        throw new Error(`waiting for ${what}: last status ${JSON.stringify(status)}\nagent output:\n${unit.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  const isActive = (status: UnitStatus, version: string) =>
    status.unit.connection === 'online' &&
    status.instances.some(
      (item) => item.serviceId === serviceId && item.version === version && item.state === 'active',
    );
  async function waitForCommit(version: string): Promise<void> {
    await expect
      .poll(async () => (await fleet.aos(['logs', '--agent', '--unit', unit.systemId])).stdout, {
        timeout: SETTLE_TIMEOUT_MS,
        interval: 500,
      })
      .toContain(`${serviceId}@${version} is active`);
  }

  /** As the SP: the version (and cmd) into meta/config.yaml, sign, upload; approved for the fleet. */
  async function publish(version: string, cmd?: string): Promise<void> {
    const configPath = join(directory, 'meta', 'config.yaml');
    let config = await readFile(configPath, 'utf8');
    config = config.replace(/^(\s*version:\s*).*$/m, `$1"${version}"`);
    if (cmd) config = config.replace(/^(\s*cmd:\s*).*$/m, `$1${cmd}`);
    await writeFile(configPath, config);
    await fleet.aos(['sign', '-C', directory]);
    const uploaded = await fleet.aos(['upload', '-C', directory]);
    const versionId = new RegExp(`version:  ${version.replaceAll('.', '\\.')} \\(id (${UUID.source})\\)`).exec(
      uploaded.stdout,
    )?.[1];
    expect(versionId, uploaded.stdout).toBeDefined();
    await fleet.aos(['version', 'approve', versionId ?? '']);
  }

  /** The SP's service page, reloaded (a fresh read of what the cloud knows). */
  async function spServicePage(): Promise<void> {
    await sp.goto(`${fleet.url}/services/${serviceId}`);
    await sp.getByRole('heading', { name: 'hello world' }).waitFor();
  }
  /** The "On units" row of a version on the service page: desired, installed, active, failed, offline. */
  const onUnits = (version: string) =>
    sp
      .getByRole('heading', { name: 'On units' })
      .locator('xpath=following-sibling::*')
      .locator('tr', { has: sp.getByRole('cell', { name: version, exact: true }) })
      .first();

  beforeAll(async () => {
    fleet = await startFleet('pglite');
    unit = await createUnit(fleet, `walkthrough-${process.pid}`);
    await unit.provision();
    await unit.start(['--monitoring-period', '2', '--monitoring-poll', '1']);
    for (const email of [SP_EMAIL, OEM_EMAIL])
      await setPasswordOverHttp(fleet.url, FLEET_ADMIN_PASSWORD, email, PASSWORD);
    browser = await launchBrowser();
    sp = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    oem = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(sp, fleet.url, SP_EMAIL, PASSWORD);
    await signIn(oem, fleet.url, OEM_EMAIL, PASSWORD);
    console.log(`console walkthrough: screenshots in ${shots}`);
  }, CLOUD_START_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await unit?.remove();
    await fleet?.close();
  });

  it('SP: the service made with aos service create is on the Services page', { timeout: 60_000 }, async () => {
    directory = join(fleet.root, 'hello-world');
    await fleet.aos(['init', directory, '--no-dev-credential']);
    const created = await fleet.aos(['service', 'create', '--title', 'hello world']);
    serviceId = /publish\.service_uid: (\S+)/.exec(created.stdout)?.[1] ?? '';
    expect(serviceId).toMatch(UUID);
    const configPath = join(directory, 'meta', 'config.yaml');
    await writeFile(
      configPath,
      (await readFile(configPath, 'utf8')).replace(/^(\s*service_uid:\s*).*$/m, `$1${serviceId}`),
    );
    // Made from the command line while the page was open: a fresh visit shows it.
    await sp.goto(`${fleet.url}/services`);
    const row = sp.locator('tr', { hasText: serviceId });
    await row.getByRole('link', { name: 'hello world' }).waitFor();
    await shoot(sp, 'sp-services');
  });

  it('SP: the uploaded version 1.0.0 is on the service page, approved', { timeout: 120_000 }, async () => {
    await publish('1.0.0');
    await sp.locator('tr', { hasText: serviceId }).getByRole('link', { name: 'hello world' }).click();
    const versions = sp.getByRole('heading', { name: 'Versions' }).locator('xpath=following-sibling::*[1]');
    const row = versions.locator('tr', { hasText: '1.0.0' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/approved/);
    expect(await row.textContent()).toMatch(/sha256:/);
    await shoot(sp, 'sp-version-uploaded');
  });

  it('OEM: the unit online, in a unit set, and a subject binding the service to it', { timeout: 120_000 }, async () => {
    await oem.getByRole('link', { name: 'Units', exact: true }).click();
    const unitRow = oem.locator(`tr[data-system-id="${unit.systemId}"]`);
    await unitRow.getByTestId('connection').getByText('online').waitFor();
    await shoot(oem, 'oem-unit-online');

    const set = await fleet.aosJson<{ id: string }>(['unit-set', 'create', '--name', 'first units']);
    await fleet.aos(['unit-set', 'add-units', set.id, unit.id]);
    await oem.getByRole('link', { name: 'Unit sets' }).click();
    await oem.getByText('first units').first().waitFor();
    await shoot(oem, 'oem-unit-set');

    const subject = await fleet.aosJson<{ id: string }>(['subject', 'create', '--name', 'everyone']);
    const bound = await fleet.aos(['subject', 'bind', subject.id, '--service', serviceId, '--unit-set', set.id]);
    expect(bound.stdout).toMatch(/^Bound subject everyone/m);
    await oem.getByRole('link', { name: 'Subjects' }).click();
    const subjectRow = oem.locator('tr', { hasText: 'everyone' });
    await subjectRow.waitFor();
    await oem.getByRole('link', { name: 'everyone' }).click();
    await oem.waitForURL(/\/subjects\/[0-9a-f-]{36}$/);
    const main = oem.locator('main');
    await main.getByRole('heading', { level: 1 }).filter({ hasText: 'everyone' }).waitFor();
    await main.getByText('hello world').first().waitFor();
    await main.getByText('first units').first().waitFor();
    await shoot(oem, 'oem-subject-binding');
  });

  it("OEM and SP: the version active on the unit, the instance's log and metrics", { timeout: 300_000 }, async () => {
    await waitForStatus('hello world 1.0.0 active', (status) => isActive(status, '1.0.0'));

    // OEM: the unit's page lists the instance active; its log shows hello world's output.
    await oem.goto(`${fleet.url}/units/${unit.id}`);
    const instances = oem.getByRole('heading', { name: 'Instances' }).locator('xpath=following-sibling::*[1]');
    await instances.locator('tr', { hasText: 'hello world' }).getByText('active').waitFor();
    // Each click reads the log again from the unit; read the view once that read has finished
    // (the view is emptied at each click: reading it at once saw nothing on a loaded machine).
    await expect
      .poll(
        async () => {
          await oem.getByRole('button', { name: 'Show log' }).click();
          await oem
            .getByText('Reading the log from the unit…')
            .waitFor({ state: 'hidden', timeout: 30_000 })
            .catch(() => undefined);
          return oem.getByTestId('log-lines').textContent();
        },
        { timeout: SETTLE_TIMEOUT_MS, interval: 1000 },
      )
      .toMatch(/hello from OpenAos \(1\)/);
    await shoot(oem, 'oem-unit-instances-log');

    // SP: the service page counts it active on one unit.
    await spServicePage();
    await expect.poll(async () => onUnits('1.0.0').textContent(), { timeout: 30_000 }).toMatch(/1\s*1\s*1\s*0\s*0/);
    await shoot(sp, 'sp-version-active');

    // SP: the unit's monitoring page: its instance's charts with points, and its log.
    await sp.goto(`${fleet.url}/monitoring/${unit.systemId}`);
    await expect
      .poll(
        async () => {
          await sp.reload();
          const chart = sp.locator('[data-testid^="chart-ram-"]').first();
          return Number((await chart.getAttribute('data-points', { timeout: 10_000 }).catch(() => '0')) ?? '0');
        },
        { timeout: SETTLE_TIMEOUT_MS, interval: 2000 },
      )
      .toBeGreaterThan(1);
    expect(await sp.getByRole('heading', { name: /hello world · subject/ }).count()).toBe(1);
    await sp.getByRole('button', { name: 'Show log' }).click();
    await expect
      .poll(async () => sp.getByTestId('log-lines').textContent(), { timeout: 30_000 })
      .toMatch(/hello from OpenAos \(1\)/);
    expect(await sp.getByRole('combobox', { name: 'Log' }).textContent()).not.toContain('Agent log');
    await shoot(sp, 'sp-metrics-and-log');
  });

  it('SP: the update to 1.0.1 becomes active on the unit', { timeout: 300_000 }, async () => {
    await waitForCommit('1.0.0');
    await publish('1.0.1');
    await waitForStatus('hello world 1.0.1 active', (status) => isActive(status, '1.0.1'));
    await spServicePage();
    await expect.poll(async () => onUnits('1.0.1').textContent(), { timeout: 30_000 }).toMatch(/1\s*1\s*1\s*0\s*0/);
    await shoot(sp, 'sp-update-active');
  });

  it('SP and OEM: the broken 1.0.2 is rolled back to 1.0.1, with the reason', { timeout: 300_000 }, async () => {
    await waitForCommit('1.0.1');
    // The same broken version as the CLI's whole-flow test: a script that is not there, so python
    // exits 1 on every start (the agent fails it after startBurst failed starts in a row, however
    // long a busy machine keeps each run up).
    await publish('1.0.2', 'python3 -u /missing.py');
    const status = await waitForStatus(
      '1.0.2 failed and 1.0.1 active again',
      (current) =>
        current.items.some(
          (item) => item.serviceId === serviceId && item.version === '1.0.2' && item.state === 'failed',
        ) && isActive(current, '1.0.1'),
    );
    const reason = status.items.find((item) => item.version === '1.0.2')?.errorInfo?.message ?? '';
    expect(reason).toMatch(/rolled back to 1\.0\.1/);

    await spServicePage();
    await expect.poll(async () => onUnits('1.0.2').textContent(), { timeout: 30_000 }).toMatch(/1\s*0\s*$/);
    await shoot(sp, 'sp-rolled-back');

    await oem.goto(`${fleet.url}/units/${unit.id}`);
    const services = oem.getByRole('heading', { name: 'Services' }).locator('xpath=following-sibling::*[1]');
    const failed = services.locator('tr', { hasText: '1.0.2' });
    await failed.getByTestId('reason').waitFor();
    expect(await failed.getByTestId('reason').textContent()).toMatch(/rolled back to 1\.0\.1/);
    const instances = oem.getByRole('heading', { name: 'Instances' }).locator('xpath=following-sibling::*[1]');
    await instances.locator('tr', { hasText: '1.0.1' }).getByText('active').waitFor();
    await shoot(oem, 'oem-rolled-back-reason');
  });
});
