/**
 * The unit channel end to end, as a new user runs it, on PGlite and on PostgreSQL: the built
 * cloud, `aos` as the SP and the OEM, and a real agent running services under runc. A unit is
 * provisioned with a one-time token, gets its services by a subject binding, reports them active,
 * is updated (only the changed service restarts), rolls back a broken version with the reason
 * visible in the cloud, survives a cloud restart and a dropped socket mid-update, and loses a
 * service when its subject is unbound. Needs root, runc and `pnpm build`.
 * Not a test file itself: unit-channel-pglite.test.ts and unit-channel-postgres.test.ts run it.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_START_TIMEOUT_MS } from '../cloud-process.js';
import { createService, startFleet, uploadVersion, type Fleet, type UploadedVersion } from './fleet.js';
import { startLinkProxy, type LinkProxy } from './link-proxy.js';
import { createUnit, type TestUnit } from './unit.js';

/** `aos status --unit <systemId> --json`'s `unit`, the parts this test reads. */
interface UnitStatus {
  unit: { connection: string; lastSeenAt: string | null };
  desired: { generation: number; items: { serviceId: string; version: string }[] } | null;
  items: { serviceId: string; version: string; state: string; errorInfo: { message?: string } | null }[];
  instances: {
    serviceId: string;
    version: string;
    state: string;
    instance: number;
    errorInfo: { message?: string } | null;
  }[];
}

/** A guard against a hang, not a measure: each wait returns as soon as its condition holds. */
const SETTLE_TIMEOUT_MS = 180_000;

async function waitForStatus(
  fleet: Fleet,
  unit: TestUnit,
  what: string,
  check: (status: UnitStatus) => boolean,
): Promise<UnitStatus> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let last: UnitStatus | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = (await fleet.aosJson<{ unit: UnitStatus }>(['status', '--unit', unit.systemId])).unit;
      if (check(last)) return last;
    } catch (error) {
      lastError = error; // the cloud restarting: try again
    }
    if (Date.now() > deadline || unit.hasExited()) {
      throw new Error(
        `waiting for ${what}: ${unit.hasExited() ? 'the agent exited' : `not reached in ${SETTLE_TIMEOUT_MS / 1000} s`}.\nlast status: ${JSON.stringify(last, null, 2)}\n` +
          `last error: ${String(lastError)}\nagent output:\n${unit.output()}\ncloud output:\n${fleet.cloud.output()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const isActive = (status: UnitStatus, service: UploadedVersion, version = service.version) =>
  status.unit.connection === 'online' &&
  status.instances.some(
    (instance) =>
      instance.serviceId === service.serviceId && instance.version === version && instance.state === 'active',
  );

/**
 * The unit committed the version: it stayed active for its start interval, so it is what the unit
 * falls back to if the next version fails (the agent says so in its log; the v7 status has no field
 * for it). An operator who updates sooner gets a rollback to the version committed before.
 */
async function waitForCommit(unit: TestUnit, service: UploadedVersion, version = service.version): Promise<void> {
  await unit.waitForOutput(new RegExp(`${service.serviceId}@${version.replaceAll('.', '\\.')} is active`));
}

/** How many times the service's instance 0 started on the unit: the hello world prints "(1)" first on each start. */
async function startCount(unit: TestUnit, service: UploadedVersion): Promise<number> {
  const log = await unit.agent(['logs', service.serviceId]);
  return log.stdout.split('\n').filter((line) => line.includes('hello from OpenAos (1)')).length;
}

/** The whole story on one database; unit-channel-*.e2e.test.ts run it on each (in parallel, as separate files). */
export function describeUnitChannel(database: 'pglite' | 'postgres'): void {
  describe(`the unit channel end to end on ${database}`, () => {
    let fleet: Fleet;
    let unit: TestUnit;
    let proxy: LinkProxy;
    let serviceA: UploadedVersion;
    let serviceB: UploadedVersion;
    let subjectId: string;

    beforeAll(async () => {
      fleet = await startFleet(database);
      proxy = await startLinkProxy(() => new URL(fleet.url));
      serviceA = await createService(fleet, { title: 'service A' });
      serviceB = await createService(fleet, { title: 'service B' });
      for (const service of [serviceA, serviceB]) await fleet.aos(['version', 'approve', service.versionId]);
      unit = await createUnit(fleet, `e2e-${database}-${process.pid}`);
      subjectId = (await fleet.aosJson<{ id: string }>(['subject', 'create', '--name', 'e2e fleet'])).id;
    }, CLOUD_START_TIMEOUT_MS);

    afterAll(async () => {
      await unit?.remove();
      await proxy?.close();
      await fleet?.close();
    });

    it('provisions the unit with a one-time token that works once', { timeout: 120_000 }, async () => {
      const token = await fleet.aosJson<{ token: string; expiresAt: string }>([
        'unit',
        'provision-token',
        unit.systemId,
        '--ttl',
        '10m',
      ]);
      await unit.agent(['provision', '--cloud', fleet.url, '--token', token.token, '--system-id', unit.systemId]);
      const identity = `${unit.storageDir}-identity`;
      expect((await stat(join(identity, 'unit.key.pem'))).mode & 0o777).toBe(0o600);
      expect(await readFile(join(identity, 'unit.crt.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');

      // The same token again (even with --force) is refused: it was used.
      const again = await unit.agent(
        ['provision', '--cloud', fleet.url, '--token', token.token, '--system-id', unit.systemId, '--force'],
        { expectExit: 3 },
      );
      expect(`${again.stdout}${again.stderr}`).toMatch(/used/i);
      // …and the unit is still provisioned with its first identity.
      const shown = await fleet.aosJson<{ provisionedAt: string | null }>(['unit', 'show', unit.id]);
      expect(shown.provisionedAt).not.toBeNull();
    });

    it('runs the services of a subject bound to the unit and reports them active', { timeout: 240_000 }, async () => {
      await unit.start(['--cloud', proxy.url]);
      await waitForStatus(fleet, unit, 'the unit online', (status) => status.unit.connection === 'online');
      await fleet.aos(['subject', 'bind', subjectId, '--service', serviceA.serviceId, '--unit', unit.id]);
      await fleet.aos(['subject', 'bind', subjectId, '--service', serviceB.serviceId]);
      const status = await waitForStatus(
        fleet,
        unit,
        'A and B active',
        (current) => isActive(current, serviceA) && isActive(current, serviceB),
      );
      expect(status.desired?.items.map((item) => item.serviceId).sort()).toEqual(
        [serviceA.serviceId, serviceB.serviceId].sort(),
      );
      expect(status.items.filter((item) => item.state === 'installed')).toHaveLength(2);
      expect(await startCount(unit, serviceA)).toBe(1);
      await waitForCommit(unit, serviceA);
    });

    it('updates only the service that changed', { timeout: 240_000 }, async () => {
      const next = await uploadVersion(fleet, { ...serviceA, version: '1.0.1' });
      await fleet.aos(['version', 'approve', next.versionId]);
      await waitForStatus(fleet, unit, 'A 1.0.1 active', (status) => isActive(status, serviceA, '1.0.1'));
      await waitForCommit(unit, serviceA, '1.0.1');
      expect(await startCount(unit, serviceB)).toBe(1);
      serviceA = next;
    });

    it('rolls back a version that fails to start and shows why in the cloud', { timeout: 240_000 }, async () => {
      const broken = await uploadVersion(fleet, { ...serviceA, version: '1.0.2', cmd: 'python3 -u /missing.py' });
      await fleet.aos(['version', 'approve', broken.versionId]);
      const status = await waitForStatus(
        fleet,
        unit,
        'A 1.0.2 failed and 1.0.1 active again',
        (current) =>
          current.items.some(
            (item) => item.serviceId === serviceA.serviceId && item.version === '1.0.2' && item.state === 'failed',
          ) && isActive(current, serviceA, '1.0.1'),
      );
      const failed = status.items.find((item) => item.serviceId === serviceA.serviceId && item.version === '1.0.2');
      expect(failed?.errorInfo?.message).toBeTruthy();
      const { service } = await fleet.aosJson<{ service: { versions: { version: string; failed: number }[] } }>([
        'status',
        '--service',
        serviceA.serviceId,
      ]);
      expect(service.versions.find((version) => version.version === '1.0.2')?.failed).toBe(1);
      expect(failed?.errorInfo?.message).toMatch(/rolled back to 1\.0\.1/);
      expect(await startCount(unit, serviceB)).toBe(1);
    });

    it(
      'finishes an update through a cloud crash, without restarting what did not change',
      {
        timeout: 300_000,
      },
      async () => {
        // The hello world again after the broken 1.0.2 (its folder still names /missing.py).
        const next = await uploadVersion(fleet, { ...serviceA, version: '1.0.3', cmd: 'python3 -u /hello.py' });
        await fleet.aos(['version', 'approve', next.versionId]);
        await fleet.restartCloud({ kill: true });
        await waitForStatus(fleet, unit, 'A 1.0.3 active after the cloud restart', (status) =>
          isActive(status, serviceA, '1.0.3'),
        );
        await waitForCommit(unit, serviceA, '1.0.3');
        expect(await startCount(unit, serviceB)).toBe(1);
        serviceA = next;
      },
    );

    it('finishes an update after its socket is dropped mid-way', { timeout: 300_000 }, async () => {
      const connectionsBefore = proxy.connectionCount;
      const next = await uploadVersion(fleet, { ...serviceA, version: '1.0.4' });
      await fleet.aos(['version', 'approve', next.versionId]);
      proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      proxy.restore();
      await waitForStatus(fleet, unit, 'A 1.0.4 active after the socket was dropped', (status) =>
        isActive(status, serviceA, '1.0.4'),
      );
      await waitForCommit(unit, serviceA, '1.0.4');
      expect(proxy.connectionCount).toBeGreaterThan(connectionsBefore);
      expect(await startCount(unit, serviceB)).toBe(1);
      serviceA = next;
    });

    it('removes a service from the unit when its subject is unbound', { timeout: 240_000 }, async () => {
      await fleet.aos(['subject', 'unbind', subjectId, '--service', serviceA.serviceId]);
      await waitForStatus(
        fleet,
        unit,
        'A gone, B still active',
        (status) =>
          !status.instances.some((instance) => instance.serviceId === serviceA.serviceId) && isActive(status, serviceB),
      );
      expect(await startCount(unit, serviceB)).toBe(1);
    });
  });
}
