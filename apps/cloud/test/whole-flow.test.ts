/**
 * The whole flow as one test, through the `aos` command only, as a new SP and OEM user run it:
 * the built cloud on PGlite, a real agent running the services under runc. `aos init` →
 * `aos service create` → `aos sign` → `aos upload` → a unit set, a subject, the bindings → the
 * unit runs the service → active in `aos status` → its output in `aos logs` → an update to 1.0.1
 * restarts only that service (a second one, bound at the same time, keeps its process) → a
 * broken 1.0.2 is rolled back, the reason shown in `aos status`. Each step checks what a person
 * reads (the human output) and one `--json` result. Needs root, runc and `pnpm build`.
 *
 * The only thing read outside `aos` is `runc state` of the unit's containers (their PID and
 * start time), as the device's owner would, to show which process was restarted.
 */
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstanceId, resolveStoragePaths } from '@openaos/agent';
import { CLOUD_START_TIMEOUT_MS } from './cloud-process.js';
import { startFleet, type Fleet } from './fleet/fleet.js';
import { createUnit, type TestUnit } from './fleet/unit.js';

/** A guard against a hang, not a measure: each wait returns as soon as its condition holds. */
const SETTLE_TIMEOUT_MS = 180_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** `aos status --unit <systemId> --json`'s `unit`, the parts this test reads. */
interface UnitStatus {
  unit: { connection: string };
  desired: { generation: number; items: { serviceId: string; version: string }[] } | null;
  items: { serviceId: string; version: string; state: string; errorInfo: { message?: string } | null }[];
  instances: { serviceId: string; subjectId: string; instance: number; version: string; state: string }[];
}

/** One service folder of the SP's, and what the cloud calls it. */
interface ServiceFolder {
  title: string;
  id: string;
  directory: string;
}

/** A container as `runc state` shows it. */
interface ContainerState {
  id: string;
  pid: number;
  status: string;
  created: string;
}

/** The service's line from `aos status --unit` (its title, then version and state). */
const serviceLine = (text: string, title: string, version: string) =>
  text.split('\n').find((line) => line.trimStart().startsWith(`${title} `) && line.includes(` ${version} `));

const startsIn = (log: string) => log.split('\n').filter((line) => line === 'hello from OpenAos (1)').length;

describe('the whole flow through aos: init, sign, upload, bind, run, update, roll back', () => {
  let fleet: Fleet;
  let unit: TestUnit;
  let hello: ServiceFolder;
  let other: ServiceFolder;
  let subjectId: string;

  /** Ask `aos status --unit … --json` until `check` holds (the agent exiting stops the wait). */
  async function waitForStatus(what: string, check: (status: UnitStatus) => boolean): Promise<UnitStatus> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let last: UnitStatus | undefined;
    for (;;) {
      last = (await fleet.aosJson<{ unit: UnitStatus }>(['status', '--unit', unit.systemId])).unit;
      if (check(last)) return last;
      if (Date.now() > deadline || unit.hasExited())
        throw new Error(
          `waiting for ${what}: ${unit.hasExited() ? 'the agent exited' : 'not reached'}.\n` +
            `last status: ${JSON.stringify(last, null, 2)}\nagent output:\n${unit.output()}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  const isActive = (status: UnitStatus, service: ServiceFolder, version: string) =>
    status.unit.connection === 'online' &&
    status.instances.some(
      (instance) => instance.serviceId === service.id && instance.version === version && instance.state === 'active',
    );

  /**
   * The unit committed the version (it stayed active for its start interval), so the unit falls
   * back to it if the next one fails: the OEM reads it in the unit's agent log with `aos logs --agent`.
   */
  async function waitForCommit(service: ServiceFolder, version: string): Promise<void> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    const committed = `${service.id}@${version} is active`;
    for (;;) {
      const log = await fleet.aos(['logs', '--agent', '--unit', unit.systemId]);
      if (log.stdout.includes(committed)) return;
      if (Date.now() > deadline || unit.hasExited())
        throw new Error(`waiting for "${committed}" in the agent log:\n${log.stdout}\nagent output:\n${unit.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** The service's instance 0 on the unit as runc sees it. */
  async function container(service: ServiceFolder): Promise<ContainerState> {
    const id = createInstanceId(service.id, subjectId, 0);
    const root = resolveStoragePaths(unit.storageDir).runc;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile('runc', ['--root', root, 'state', id], (error, out, err) =>
        error ? reject(new Error(`runc state ${id}: ${err}`)) : resolve(out),
      ),
    );
    const state = JSON.parse(stdout) as ContainerState;
    return { id: state.id, pid: state.pid, status: state.status, created: state.created };
  }

  /** As the SP: set the folder's version (and cmd), `aos sign`, `aos upload`, approve the version. */
  async function publish(service: ServiceFolder, version: string, cmd?: string): Promise<string> {
    const configPath = join(service.directory, 'meta', 'config.yaml');
    let config = await readFile(configPath, 'utf8');
    config = config.replace(/^(\s*version:\s*).*$/m, `$1"${version}"`);
    if (cmd) config = config.replace(/^(\s*cmd:\s*).*$/m, `$1${cmd}`);
    await writeFile(configPath, config);

    const signed = await fleet.aos(['sign', '-C', service.directory]);
    expect(signed.stdout).toMatch(/^Signed .*service\.tar\.gz \(/m);
    expect(signed.stdout).toMatch(/signed by/);
    const uploaded = await fleet.aos(['upload', '-C', service.directory]);
    expect(uploaded.stdout).toMatch(/^Uploaded .*service\.tar\.gz/m);
    expect(uploaded.stdout).toContain(`service:  ${service.id}`);
    const versionLine = new RegExp(
      `version:  ${version.replaceAll('.', '\\.')} \\(id (${UUID.source})\\), state: ready`,
    );
    const versionId = versionLine.exec(uploaded.stdout)?.[1];
    expect(versionId, uploaded.stdout).toBeDefined();
    await fleet.aos(['version', 'approve', versionId ?? '']);
    return versionId ?? '';
  }

  beforeAll(async () => {
    fleet = await startFleet('pglite');
    unit = await createUnit(fleet, `whole-flow-${process.pid}`);
    await unit.provision();
    await unit.start();
  }, CLOUD_START_TIMEOUT_MS);

  afterAll(async () => {
    await unit?.remove();
    await fleet?.close();
  });

  it('makes a service folder with aos init and a service with aos service create', { timeout: 60_000 }, async () => {
    const created: ServiceFolder[] = [];
    for (const title of ['hello world', 'neighbour']) {
      const directory = join(fleet.root, title.replace(' ', '-'));
      if (title === 'hello world') {
        const init = await fleet.aos(['init', directory, '--no-dev-credential']);
        expect(init.stdout).toContain(`Created a service in ${directory}:`);
        expect(init.stdout).toMatch(/^ {2}meta\/config\.yaml$/m);
        expect(init.stdout).toMatch(/publish\.service_uid is a random stand-in .*replace it with the Service ID/);
      } else {
        const init = await fleet.aosJson<{ created: string[]; serviceUidIsPlaceholder: boolean }>([
          'init',
          directory,
          '--no-dev-credential',
        ]);
        expect(init.created).toContain('meta/config.yaml');
        expect(init.serviceUidIsPlaceholder).toBe(true);
      }
      expect((await stat(join(directory, 'src', 'hello.py'))).isFile()).toBe(true);

      const service = await fleet.aos(['service', 'create', '--title', title]);
      expect(service.stdout).toContain(`title:         ${title}`);
      const id = /Put this into meta\/config\.yaml: {2}publish\.service_uid: (\S+)/.exec(service.stdout)?.[1];
      expect(id).toMatch(UUID);
      // What the person does next: the service ID into publish.service_uid.
      const configPath = join(directory, 'meta', 'config.yaml');
      const config = await readFile(configPath, 'utf8');
      expect(config).toMatch(/^\s*service_uid:/m);
      await writeFile(configPath, config.replace(/^(\s*service_uid:\s*).*$/m, `$1${id}`));
      created.push({ title, id: id ?? '', directory });
    }
    [hello, other] = created as [ServiceFolder, ServiceFolder];
    const listed = await fleet.aosJson<{ id: string; title: string }[]>(['service', 'list']);
    expect(listed.map((service) => service.title).sort()).toEqual(['hello world', 'neighbour']);
  });

  it('signs and uploads version 1.0.0 of both with aos sign and aos upload', { timeout: 120_000 }, async () => {
    for (const service of [hello, other]) await publish(service, '1.0.0');
    const versions = await fleet.aosJson<{ version: string; state: string }[]>(['version', 'list', hello.id]);
    expect(versions.map((version) => version.version)).toEqual(['1.0.0']);
    expect(versions[0]?.state).not.toBe('failed');
  });

  it('puts the unit in a unit set and binds both services to it through a subject', { timeout: 60_000 }, async () => {
    const set = await fleet.aos(['unit-set', 'create', '--name', 'first units']);
    const setId = UUID.exec(set.stdout)?.[0];
    expect(setId, set.stdout).toBeDefined();
    await fleet.aos(['unit-set', 'add-units', setId ?? '', unit.id]);
    const sets = await fleet.aos(['unit-set', 'list']);
    expect(sets.stdout).toMatch(/first units\s+no\s+1/);

    const subject = await fleet.aos(['subject', 'create', '--name', 'everyone']);
    subjectId = UUID.exec(subject.stdout)?.[0] ?? '';
    expect(subjectId, subject.stdout).toMatch(UUID);
    const bound = await fleet.aos([
      'subject',
      'bind',
      subjectId,
      '--service',
      hello.id,
      '--service',
      other.id,
      '--unit-set',
      setId ?? '',
    ]);
    // `aos subject bind` prints the subject as it now stands.
    expect(bound.stdout).toMatch(new RegExp(`^Bound subject everyone \\(${subjectId}\\)$`, 'm'));
    expect(bound.stdout).toMatch(/^\s*services:\s+hello world \(.*\), neighbour \(/m);
    expect(bound.stdout).toMatch(new RegExp(`^\\s*unit sets:\\s+first units \\(${setId}\\)$`, 'm'));
    expect(bound.stdout, 'human output, not JSON').not.toMatch(/[[{]/);
    const shown = await fleet.aosJson<{ services: { id: string }[]; unitSets: { id: string }[] }>([
      'subject',
      'show',
      subjectId,
    ]);
    expect(shown.services.map((service) => service.id).sort()).toEqual([hello.id, other.id].sort());
    expect(shown.unitSets.map((unitSet) => unitSet.id)).toEqual([setId]);
  });

  it('runs both on the unit: active in aos status, the output in aos logs', { timeout: 240_000 }, async () => {
    const status = await waitForStatus(
      'both services active',
      (current) => isActive(current, hello, '1.0.0') && isActive(current, other, '1.0.0'),
    );
    expect(status.desired?.items.map((item) => `${item.serviceId} ${item.version}`).sort()).toEqual(
      [`${hello.id} 1.0.0`, `${other.id} 1.0.0`].sort(),
    );
    const shown = await fleet.aos(['status', '--unit', unit.systemId]);
    expect(shown.stdout).toMatch(/connection:\s+online/);
    expect(shown.stdout).toMatch(/desired:\s+generation \d+ .*hello world 1\.0\.0/);
    expect(serviceLine(shown.stdout, 'hello world', '1.0.0')).toMatch(/ installed /);
    expect(shown.stdout.split('\n').some((line) => /hello world\s+everyone\s+0\s+1\.0\.0\s+active/.test(line))).toBe(
      true,
    );

    // The fleet at a glance: the SP sees its services' counts, the OEM its units as well.
    const bySp = await fleet.aos(['status']);
    expect(bySp.stdout).toMatch(new RegExp(`^hello world\\s+${hello.id}\\s+1\\s+1\\s+1\\s+0\\s+0\\s*$`, 'm'));
    expect(bySp.stdout).toMatch(new RegExp(`^neighbour\\s+${other.id}\\s+1\\s+1\\s+1\\s+0\\s+0\\s*$`, 'm'));
    const byOem = await fleet.aos(['status', '--pkcs12', join(fleet.aosHome, 'security', 'aos-user-oem.p12')]);
    expect(byOem.stdout).toMatch(/^Units: 1 \(1 online, 0 offline; 1 provisioned, 0 revoked; 0 with failures\)$/m);

    await expect
      .poll(async () => (await fleet.aos(['logs', hello.id])).stdout, { timeout: SETTLE_TIMEOUT_MS, interval: 500 })
      .toMatch(/^hello from OpenAos \(1\)$/m);
    const records = (await fleet.aos(['logs', hello.id, '--unit', unit.systemId, '--json'])).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { line: string });
    expect(records[0]).toEqual({ line: 'hello from OpenAos (1)' });
  });

  it('updates hello world to 1.0.1 and restarts only it', { timeout: 300_000 }, async () => {
    await waitForCommit(hello, '1.0.0');
    await waitForCommit(other, '1.0.0');
    const helloBefore = await container(hello);
    const otherBefore = await container(other);
    expect(otherBefore.status).toBe('running');

    await publish(hello, '1.0.1');
    await waitForStatus('hello world 1.0.1 active', (status) => isActive(status, hello, '1.0.1'));
    await waitForCommit(hello, '1.0.1');

    const shown = await fleet.aos(['status', '--unit', unit.systemId]);
    expect(shown.stdout).toMatch(/desired:\s+generation \d+ .*hello world 1\.0\.1/);
    expect(shown.stdout.split('\n').some((line) => /hello world\s+everyone\s+0\s+1\.0\.1\s+active/.test(line))).toBe(
      true,
    );
    const perVersion = await fleet.aos(['status', '--service', hello.id]);
    expect(perVersion.stdout).toMatch(/^1\.0\.1\s+\S+\s+1\s+1\s+1\s+0\s+0\s*$/m);

    // hello world got a new process; the neighbour kept its own and printed its first line once.
    const helloAfter = await container(hello);
    expect(helloAfter.status).toBe('running');
    expect(helloAfter.pid).not.toBe(helloBefore.pid);
    expect(await container(other)).toEqual(otherBefore);
    expect(startsIn((await fleet.aos(['logs', other.id])).stdout)).toBe(1);
  });

  it('rolls a broken 1.0.2 back to 1.0.1 and shows why in aos status', { timeout: 300_000 }, async () => {
    const otherBefore = await container(other);
    await publish(hello, '1.0.2', 'python3 -u /missing.py');
    const status = await waitForStatus(
      'hello world 1.0.2 failed and 1.0.1 active again',
      (current) =>
        current.items.some(
          (item) => item.serviceId === hello.id && item.version === '1.0.2' && item.state === 'failed',
        ) && isActive(current, hello, '1.0.1'),
    );
    const failed = status.items.find((item) => item.serviceId === hello.id && item.version === '1.0.2');
    expect(failed?.errorInfo?.message).toMatch(/rolled back to 1\.0\.1/);

    const shown = await fleet.aos(['status', '--unit', unit.systemId]);
    expect(serviceLine(shown.stdout, 'hello world', '1.0.2')).toMatch(/ failed .*rolled back to 1\.0\.1/);
    expect(shown.stdout.split('\n').some((line) => /hello world\s+everyone\s+0\s+1\.0\.1\s+active/.test(line))).toBe(
      true,
    );
    const perVersion = await fleet.aos(['status', '--service', hello.id]);
    expect(perVersion.stdout).toMatch(/^1\.0\.2\s+.*\s1\s+0\s*$/m);
    const { service } = await fleet.aosJson<{ service: { versions: { version: string; failed: number }[] } }>([
      'status',
      '--service',
      hello.id,
    ]);
    expect(service.versions.find((version) => version.version === '1.0.2')?.failed).toBe(1);

    // The neighbour ran on through it all.
    expect(await container(other)).toEqual(otherBefore);
    expect(startsIn((await fleet.aos(['logs', other.id])).stdout)).toBe(1);
  });
});
