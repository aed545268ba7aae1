/**
 * Logs end to end, as people read them: the built cloud (PGlite), `aos` as the SP and the OEM, a
 * real agent running a service under runc that prints numbered lines. The SP reads what it
 * printed with `aos logs`, follows it with `-f` across a dropped unit connection and a cloud
 * restart (the viewer reconnects) and gets every line once, in order; another SP is refused; the
 * OEM reads the unit's agent log, and follows the instance in the console (Chromium); an offline
 * unit is a clear error. Needs root, runc and
 * `pnpm build`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchBrowser } from './console-fixture.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import { appDirectory, CLOUD_START_TIMEOUT_MS } from './cloud-process.js';
import { createService, startFleet, type Fleet, type UploadedVersion } from './fleet/fleet.js';
import { startLinkProxy, type LinkProxy } from './fleet/link-proxy.js';
import { createUnit, type TestUnit } from './fleet/unit.js';

const cliBin = join(appDirectory, '..', 'cli', 'bin', 'aos.js');
/** The admin password the fleet harness starts the cloud with. */
const ADMIN_PASSWORD = 'admin password for fleet tests';
/** A guard against a hang, not a measure: every wait returns as soon as its condition holds. */
const WAIT_TIMEOUT_MS = 180_000;

/** Ten numbered lines a second, from 1, until stopped. */
const COUNTER = `import itertools, time
for n in itertools.count(1):
    print(f"line {n}", flush=True)
    time.sleep(0.1)
`;

interface RunningAos {
  stdout(): string;
  stderr(): string;
  /** Wait until the output (stdout and stderr) satisfies the condition. */
  waitFor(what: string, condition: () => boolean): Promise<void>;
  stop(): Promise<void>;
}

/** `aos …` left running (a follow), its output collected as it comes. */
function spawnAos(fleet: Fleet, args: string[]): RunningAos {
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const child: ChildProcess = spawn(process.execPath, [cliBin, ...args], {
    cwd: fleet.root,
    env: { ...process.env, AOS_HOME: fleet.aosHome, AOS_CLOUD_URL: '', AOS_DEBUG: '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    wake();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    wake();
  });
  child.once('exit', wake);
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor(what, condition) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`waiting for ${what}: not in ${WAIT_TIMEOUT_MS / 1000} s`)),
          WAIT_TIMEOUT_MS,
        );
        const check = () => {
          if (condition()) finish();
          else if (child.exitCode !== null) finish(new Error(`waiting for ${what}: aos exited ${child.exitCode}`));
        };
        function finish(error?: Error): void {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(new Error(`${error.message}\nstdout:\n${stdout.slice(-2000)}\nstderr:\n${stderr}`));
          else resolve();
        }
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** The numbers of `line N` lines, in the order printed. */
function numbersOf(text: string): number[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^line (\d+)$/.exec(line);
      if (!match) throw new Error(`not a numbered line: ${JSON.stringify(line)}`);
      return Number(match[1]);
    });
}

/** Consecutive numbers (no gap, no duplicate): the first problem, or undefined. */
function findBreak(numbers: number[]): string | undefined {
  for (let index = 1; index < numbers.length; index++) {
    const previous = numbers[index - 1] ?? 0;
    if (numbers[index] !== previous + 1) return `line ${numbers[index]} after line ${previous} (at ${index})`;
  }
  return undefined;
}

async function waitForActive(fleet: Fleet, unit: TestUnit, service: UploadedVersion): Promise<void> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  for (;;) {
    const status = await fleet
      .aosJson<{
        unit: { unit: { connection: string }; instances: { serviceId: string; state: string }[] };
      }>(['status', '--unit', unit.systemId])
      .catch(() => undefined);
    const isActive =
      status?.unit.unit.connection === 'online' &&
      status.unit.instances.some((instance) => instance.serviceId === service.serviceId && instance.state === 'active');
    if (isActive) return;
    if (Date.now() > deadline || unit.hasExited())
      throw new Error(`the service did not become active:\n${unit.output()}\n${fleet.cloud.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Call tRPC procedures as the admin (signed in to the console). */
async function asAdmin(fleet: Fleet): Promise<<T>(procedure: string, input?: unknown) => Promise<T>> {
  const signIn = await fetch(`${fleet.url}${CLOUD_HTTP_PATHS.trpc}/auth.signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin', password: ADMIN_PASSWORD }),
  });
  const cookie = signIn.headers
    .getSetCookie()
    .map((value) => value.split(';')[0])
    .join('; ');
  return async <T>(procedure: string, input?: unknown): Promise<T> => {
    const response =
      input === undefined
        ? await fetch(`${fleet.url}${CLOUD_HTTP_PATHS.trpc}/${procedure}`, { headers: { cookie } })
        : await fetch(`${fleet.url}${CLOUD_HTTP_PATHS.trpc}/${procedure}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', cookie },
            body: JSON.stringify(input),
          });
    const body = (await response.json()) as { result?: { data: T } };
    if (!body.result) throw new Error(`${procedure}: HTTP ${response.status}`);
    return body.result.data;
  };
}

/** As the admin: another SP organisation with a user; its credential written to `path`. */
async function createOtherSp(fleet: Fleet, path: string): Promise<void> {
  const call = await asAdmin(fleet);
  const organisation = await call<{ id: string }>('organisations.create', { name: 'Other SP', kind: 'sp' });
  const created = await call<{ user: { id: string } }>('users.create', {
    email: 'other-sp@fleet.example',
    name: 'Other SP',
    role: 'sp',
    organisationId: organisation.id,
  });
  const issued = await call<{ pkcs12Base64: string }>('credentials.issue', { userId: created.user.id });
  await writeFile(path, Buffer.from(issued.pkcs12Base64, 'base64'), { mode: 0o600 });
}

describe('logs from a unit, read and followed with aos logs', () => {
  let fleet: Fleet;
  let unit: TestUnit;
  let proxy: LinkProxy;
  let service: UploadedVersion;

  beforeAll(async () => {
    fleet = await startFleet('pglite');
    proxy = await startLinkProxy(() => new URL(fleet.url));
    service = await createService(fleet, {
      title: 'counter',
      cmd: 'python3 -u /count.py',
      files: { 'count.py': COUNTER },
    });
    await fleet.aos(['version', 'approve', service.versionId]);
    unit = await createUnit(fleet, `logs-${process.pid}`);
    await unit.provision();
    await unit.start(['--cloud', proxy.url]);
    const subject = await fleet.aosJson<{ id: string }>(['subject', 'create', '--name', 'logs']);
    await fleet.aos(['subject', 'bind', subject.id, '--service', service.serviceId, '--unit', unit.id]);
    await waitForActive(fleet, unit, service);
  }, CLOUD_START_TIMEOUT_MS + WAIT_TIMEOUT_MS);

  afterAll(async () => {
    await unit?.remove();
    await proxy?.close();
    await fleet?.close();
  });

  it('prints what the service printed, from its first line, as lines or NDJSON', { timeout: 120_000 }, async () => {
    const printed = await fleet.aos(['logs', service.serviceId, '--unit', unit.systemId]);
    const numbers = numbersOf(printed.stdout);
    expect(numbers[0]).toBe(1);
    expect(numbers.length).toBeGreaterThan(1);
    expect(findBreak(numbers)).toBeUndefined();
    // Without --unit: the one unit running it. --json: one record per line.
    const json = await fleet.aos(['logs', service.serviceId, '--json']);
    const records = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { line: string });
    expect(records[0]).toEqual({ line: 'line 1' });
    expect(records.length).toBeGreaterThanOrEqual(numbers.length);
    // A range in the future is empty.
    const future = await fleet.aos(['logs', service.serviceId, '--since', '2099-01-01T00:00:00Z']);
    expect(future.stdout).toBe('');
  });

  it(
    'follows new lines across a dropped unit connection and a cloud restart, none lost or repeated',
    { timeout: 400_000 },
    async () => {
      const follow = spawnAos(fleet, ['logs', service.serviceId, '-f', '--tail', '3']);
      try {
        await follow.waitFor('20 lines', () => numbersOf(follow.stdout()).length >= 20);
        const connections = proxy.connectionCount;
        proxy.cut();
        await follow.waitFor('the follow waiting for the unit', () => /unit disconnected/.test(follow.stderr()));
        const beforeGap = numbersOf(follow.stdout()).at(-1) ?? 0;
        proxy.restore();
        await follow.waitFor(
          'lines after the unit reconnected',
          () => (numbersOf(follow.stdout()).at(-1) ?? 0) >= beforeGap + 30,
        );
        expect(proxy.connectionCount).toBeGreaterThan(connections);

        // The viewer's side: the cloud goes away and comes back; aos reconnects and continues.
        await fleet.restartCloud();
        await follow.waitFor('aos reconnected', () => /reconnected; continuing/.test(follow.stderr()));
        const afterRestart = numbersOf(follow.stdout()).at(-1) ?? 0;
        await follow.waitFor(
          'lines after the cloud restart',
          () => (numbersOf(follow.stdout()).at(-1) ?? 0) >= afterRestart + 20,
        );
      } finally {
        await follow.stop();
      }
      const numbers = numbersOf(follow.stdout());
      expect(findBreak(numbers)).toBeUndefined();
      expect(numbers.length).toBeGreaterThan(70);
    },
  );

  it(
    'refuses another SP, lets the OEM read the unit’s agent log, and refuses the agent log to an SP',
    { timeout: 120_000 },
    async () => {
      const otherSp = join(fleet.root, 'other-sp.p12');
      await createOtherSp(fleet, otherSp);
      const refused = await fleet.aos(['logs', service.serviceId, '--pkcs12', otherSp], { expectExit: 1 });
      expect(refused.stderr).toMatch(/not found/i);
      expect(refused.stdout).not.toMatch(/line \d/);

      const oem = join(fleet.aosHome, 'security', 'aos-user-oem.p12');
      const byOem = await fleet.aos(['logs', service.serviceId, '--pkcs12', oem, '--since', '1h']);
      expect(numbersOf(byOem.stdout)[0]).toBe(1);
      const agentLog = await fleet.aos(['logs', '--agent', '--unit', unit.systemId, '--pkcs12', oem]);
      expect(agentLog.stdout).toMatch(/^\S+Z cloud link: connected to /m);
      const sp = join(fleet.aosHome, 'security', 'aos-user-sp.p12');
      const bySp = await fleet.aos(['logs', '--agent', '--unit', unit.systemId, '--pkcs12', sp], { expectExit: 1 });
      expect(bySp.stderr).toMatch(/OEM/);
    },
  );

  it('follows the log in the console on the unit page, in Chromium', { timeout: 180_000 }, async () => {
    const call = await asAdmin(fleet);
    const organisations = await call<{ id: string; name: string }[]>('organisations.list');
    const oemOrganisation = organisations.find((organisation) => organisation.name === 'Fleet oem');
    await call('users.create', {
      email: 'oem-console@fleet.example',
      name: 'OEM console',
      role: 'oem',
      organisationId: oemOrganisation?.id,
      password: 'a long oem console password',
    });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${fleet.url}/sign-in`);
      await page.getByLabel('Email').fill('oem-console@fleet.example');
      await page.getByLabel('Password').fill('a long oem console password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.goto(`${fleet.url}/units/${unit.id}`);
      await page.getByRole('button', { name: 'Follow' }).click();
      const view = page.getByTestId('log-lines');
      // New lines arrive while the page is open: the last number grows by 20.
      await expect.poll(async () => numbersOf(await view.innerText()).length, { timeout: 60_000 }).toBeGreaterThan(0);
      const first = numbersOf(await view.innerText()).at(-1) ?? 0;
      await expect
        .poll(async () => numbersOf(await view.innerText()).at(-1) ?? 0, { timeout: 60_000 })
        .toBeGreaterThanOrEqual(first + 20);
      expect(findBreak(numbersOf(await view.innerText()))).toBeUndefined();
      await page.getByRole('button', { name: 'Stop following' }).click();
      // The agent log, read as a range.
      await page.getByLabel('Log').selectOption('agent');
      await page.getByRole('button', { name: 'Show log' }).click();
      await expect.poll(async () => view.innerText(), { timeout: 60_000 }).toMatch(/cloud link: connected to/);
    } finally {
      await browser.close();
    }
  });

  it('says a unit that is offline is offline', { timeout: 120_000 }, async () => {
    await unit.stop();
    const deadline = Date.now() + WAIT_TIMEOUT_MS;
    let result = await fleet.aos(['logs', service.serviceId], { expectExit: 1 }).catch(() => undefined);
    while (!result && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      result = await fleet.aos(['logs', service.serviceId], { expectExit: 1 }).catch(() => undefined);
    }
    expect(result?.stderr).toMatch(/unit logs-\d+ is offline/);
  });
});
