/**
 * Alerts and state end to end, as people run them: the built cloud (PGlite), `aos` as the SP and
 * the OEM, and a real agent running a service under runc. The service allocates past its RAM
 * alert threshold and holds it until its /state.dat says "release": the quota alert is raised
 * (active) and then falls. Its state comes from the package's default on install, goes to the
 * cloud when it changes, comes back after a reinstall, and is replaced by the SP. Another SP can
 * read neither the alerts nor the state. Needs root, runc and `pnpm build`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstanceId, instancePaths, resolveStoragePaths } from '@openaos/agent';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import { CLOUD_START_TIMEOUT_MS } from './cloud-process.js';
import { FLEET_ADMIN_PASSWORD, startFleet, uploadVersion, type Fleet, type UploadedVersion } from './fleet/fleet.js';
import { createUnit, type TestUnit } from './fleet/unit.js';

/** A guard against a hang, not a measure: each wait returns as soon as its condition holds. */
const SETTLE_TIMEOUT_MS = 240_000;

interface AlertRow {
  kind: string;
  active: boolean;
  state: string | null;
  parameter: string | null;
  value: number | null;
  peak: number | null;
  fallenAt: string | null;
  unit: { systemId: string } | null;
  service: { id: string } | null;
}
interface InstanceState {
  content: string | null;
  source: string | null;
  isDelivered: boolean | null;
  subjectId: string;
}
interface UnitStatus {
  instances: { serviceId: string; subjectId: string; instance: number; state: string }[];
}

/** The hog: 40 MiB (of a 64 MB quota, alert at 70 %) held until /state.dat says "release". */
const HOG = `import time
def state():
    try:
        with open("/state.dat") as f:
            return f.read()
    except OSError:
        return ""
block = bytearray(b"\\x01") * (40 * 1024 * 1024)
print("holding", len(block), flush=True)
while "release" not in state():
    time.sleep(0.3)
del block
print("released", flush=True)
while True:
    time.sleep(3600)
`;

async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  unit: TestUnit,
  fleet: Fleet,
): Promise<T> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      if (check(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline || unit.hasExited())
      throw new Error(
        `waiting for ${what}: ${unit.hasExited() ? 'the agent exited' : 'not reached in time'}\nlast: ${JSON.stringify(last, null, 2)}\nlast error: ${String(lastError)}\nagent output:\n${unit.output().slice(-6000)}\ncloud output:\n${fleet.cloud.output().slice(-4000)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A second SP organisation with a user and its credential (as the admin, through the API). */
async function createOtherSp(fleet: Fleet): Promise<string> {
  const post = async <T>(procedure: string, input: unknown, cookie = ''): Promise<{ data: T; cookie: string }> => {
    const response = await fetch(`${fleet.url}${CLOUD_HTTP_PATHS.trpc}/${procedure}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as { result?: { data: T } };
    if (!response.ok || !body.result) throw new Error(`${procedure}: HTTP ${response.status} ${JSON.stringify(body)}`);
    const set = response.headers
      .getSetCookie()
      .map((value) => value.split(';')[0])
      .join('; ');
    return { data: body.result.data, cookie: set || cookie };
  };
  const { cookie } = await post('auth.signIn', { email: 'admin', password: FLEET_ADMIN_PASSWORD });
  const organisation = await post<{ id: string }>(
    'organisations.create',
    { name: 'Another provider', kind: 'sp' },
    cookie,
  );
  const user = await post<{ user: { id: string } }>(
    'users.create',
    { email: 'sp@another.example', name: 'Another SP', role: 'sp', organisationId: organisation.data.id },
    cookie,
  );
  const issued = await post<{ pkcs12Base64: string }>('credentials.issue', { userId: user.data.user.id }, cookie);
  const directory = join(fleet.root, 'another-sp');
  await mkdir(directory, { recursive: true });
  const path = join(directory, 'aos-user-sp.p12');
  await writeFile(path, Buffer.from(issued.data.pkcs12Base64, 'base64'), { mode: 0o600 });
  return path;
}

describe('alerts and state end to end (real agent, runc)', () => {
  let fleet: Fleet;
  let unit: TestUnit;
  let hog: UploadedVersion;
  let subjectId: string;
  let statePath: string;
  const alerts = (args: string[]) =>
    fleet.aosJson<{ alerts: AlertRow[] }>(['alerts', ...args]).then((page) => page.alerts);
  const readState = (args: string[] = []) =>
    fleet.aosJson<InstanceState>(['state', 'get', hog.serviceId, '--unit', unit.systemId, ...args]);
  const unitFile = () => readFile(statePath, 'utf8').catch(() => undefined);

  // The hook only starts the cloud (its guard is a start's): the service and the unit are the first test's.
  beforeAll(async () => {
    fleet = await startFleet('pglite');
  }, CLOUD_START_TIMEOUT_MS);

  afterAll(async () => {
    await unit?.remove();
    await fleet?.close();
  });

  it(
    'uploads a service with a state quota, a default state and RAM alert rules; registers a unit',
    { timeout: 600_000 },
    async () => {
      const created = await fleet.aosJson<{ id: string }>(['service', 'create', '--title', 'memory hog']);
      const directory = join(fleet.root, 'hog');
      await fleet.aos(['init', directory, '--service-uid', created.id, '--no-dev-credential']);
      const configPath = join(directory, 'meta', 'config.yaml');
      const config = (await readFile(configPath, 'utf8'))
        .replace(/^ {4}#? *state: 64kB.*$/m, '        state: 4kB')
        .replace(
          /^ {4}# List of layers/m,
          "    alerts:\n        ram:\n            minTime: 'PT2S'\n            minThreshold: 40\n            maxThreshold: 70\n    state:\n        filename: state.dat\n        required: true\n\n    # List of layers",
        );
      expect(config).toContain('        state: 4kB');
      await writeFile(configPath, config);
      await writeFile(join(directory, 'meta', 'state.dat'), 'hold\n');
      hog = await uploadVersion(fleet, {
        serviceId: created.id,
        directory,
        version: '1.0.0',
        cmd: 'python3 -u /hog.py',
        files: { 'hog.py': HOG },
      });
      await fleet.aos(['version', 'approve', hog.versionId]);
      unit = await createUnit(fleet, `alerts-${process.pid}`);
      await unit.provision();
      subjectId = (await fleet.aosJson<{ id: string }>(['subject', 'create', '--name', 'alerts fleet'])).id;
      statePath = instancePaths(
        resolveStoragePaths(unit.storageDir),
        createInstanceId(hog.serviceId, subjectId, 0),
      ).stateFile;
    },
  );

  it(
    'installs the service with the package’s default state and raises its RAM alert while it holds the memory',
    { timeout: 600_000 },
    async () => {
      await unit.start();
      await fleet.aos(['subject', 'bind', subjectId, '--service', hog.serviceId, '--unit', unit.id]);
      await waitFor('the default state on the unit', unitFile, (content) => content === 'hold\n', unit, fleet);
      const raised = await waitFor(
        'an active RAM alert',
        () => alerts(['--unit', unit.systemId, '--active']),
        (list) => list.some((alert) => alert.kind === 'instance-quota' && alert.parameter === 'ram'),
        unit,
        fleet,
      );
      const ram = raised.find((alert) => alert.parameter === 'ram')!;
      expect(ram).toMatchObject({ active: true, service: { id: hog.serviceId }, unit: { systemId: unit.systemId } });
      expect(ram.value).toBeGreaterThan(0.7 * 64_000_000);
      // The SP sees it on its service, without the unit.
      const forSp = await alerts(['--service', hog.serviceId, '--active']);
      expect(forSp.map((alert) => [alert.kind, alert.unit])).toEqual([['instance-quota', null]]);
    },
  );

  it(
    'sends the state the service changed, and the alert falls once the memory is freed',
    { timeout: 600_000 },
    async () => {
      await writeFile(statePath, 'release\n'); // what the service would write to its /state.dat
      const kept = await waitFor(
        'the new state in the cloud',
        () => readState(),
        (state) => state.content === 'release\n',
        unit,
        fleet,
      );
      expect(kept).toMatchObject({ source: 'unit', isDelivered: true, subjectId });
      const fallen = await waitFor(
        'the RAM alert to fall',
        () => alerts(['--unit', unit.systemId, '--kind', 'instance-quota']),
        (list) => list.some((alert) => alert.parameter === 'ram' && !alert.active && alert.fallenAt !== null),
        unit,
        fleet,
      );
      const episode = fallen.find((alert) => alert.parameter === 'ram')!;
      expect(episode.state).toBe('fall');
      expect(episode.peak).toBeGreaterThan(0.7 * 64_000_000);
      expect(await alerts(['--unit', unit.systemId, '--active'])).toEqual([]);
      const printed = await fleet.aos(['alerts', '--unit', unit.systemId]);
      expect(printed.stdout).toMatch(/instance-quota\s+\S+\s+memory hog #0\s+fall\s+ram = /);
    },
  );

  it('restores the state after a reinstall, and takes the SP’s new state', { timeout: 600_000 }, async () => {
    const status = (): Promise<UnitStatus> =>
      fleet.aosJson<{ unit: UnitStatus }>(['status', '--unit', unit.systemId]).then((result) => result.unit);
    await fleet.aos(['subject', 'unbind', subjectId, '--service', hog.serviceId]);
    await waitFor('the instance removed', status, (current) => current.instances.length === 0, unit, fleet);
    await waitFor('its state file removed', unitFile, (content) => content === undefined, unit, fleet);
    await fleet.aos(['subject', 'bind', subjectId, '--service', hog.serviceId, '--unit', unit.id]);
    await waitFor(
      'the instance back',
      status,
      (current) => current.instances.some((instance) => instance.state === 'active'),
      unit,
      fleet,
    );
    await waitFor('the stored state restored', unitFile, (content) => content === 'release\n', unit, fleet);

    const file = join(fleet.root, 'new-state.dat');
    await writeFile(file, 'count=42\n');
    const set = await fleet.aosJson<InstanceState>([
      'state',
      'set',
      hog.serviceId,
      '--unit',
      unit.systemId,
      '--file',
      file,
    ]);
    expect(set).toMatchObject({ content: 'count=42\n', source: 'cloud' });
    await waitFor('the SP’s state on the unit', unitFile, (content) => content === 'count=42\n', unit, fleet);
    await waitFor(
      'the state delivered',
      () => readState(),
      (state) => state.isDelivered === true,
      unit,
      fleet,
    );
    // Over the service's 4 kB state quota: refused, saying why.
    await writeFile(file, 'x'.repeat(5000));
    const refused = await fleet.aos(['state', 'set', hog.serviceId, '--unit', unit.systemId, '--file', file], {
      expectExit: 1,
    });
    expect(refused.stderr).toMatch(/5000 bytes, over the service's state limit of 4000 bytes/);
  });

  it('shows another SP neither the alerts nor the state', { timeout: 120_000 }, async () => {
    const other = await createOtherSp(fleet);
    expect(
      await fleet.aosJson<{ alerts: AlertRow[] }>(['alerts', '--pkcs12', other]).then((page) => page.alerts),
    ).toEqual([]);
    const alertsRefused = await fleet.aos(['alerts', '--service', hog.serviceId, '--pkcs12', other], { expectExit: 1 });
    expect(alertsRefused.stderr).toMatch(/not found/i);
    const stateRefused = await fleet.aos(['state', 'get', hog.serviceId, '--unit', unit.systemId, '--pkcs12', other], {
      expectExit: 1,
    });
    expect(stateRefused.stderr).toMatch(/not found/i);
    expect(stateRefused.stdout).not.toContain('count=42');
  });
});
