/**
 * Rollouts end to end with three real agents under runc, as an OEM runs them with `aos`: a
 * verification unit gets 1.0.1 as soon as it is uploaded while the two other units stay on
 * 1.0.0; a rollout (which approves it) takes it to them wave by wave; a broken 1.0.2 stops at
 * its first wave, that unit is sent back to 1.0.1 and the other never gets 1.0.2.
 * Needs root, runc and `pnpm build`. Not a test file itself: rollouts-*.test.ts run it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_START_TIMEOUT_MS } from '../cloud-process.js';
import { createService, startFleet, uploadVersion, type Fleet, type UploadedVersion } from './fleet.js';
import { createUnit, type TestUnit } from './unit.js';

interface UnitStatus {
  unit: { connection: string };
  desired: { items: { serviceId: string; version: string }[] } | null;
  items: { serviceId: string; version: string; state: string }[];
  instances: { serviceId: string; version: string; state: string }[];
}
interface RolloutShown {
  id: string;
  status: string;
  wave: number;
  waveCount: number;
  units: { systemId: string; wave: number; state: string; reason: string | null }[];
  events: { kind: string; wave: number | null; reason: string }[];
}

/** A guard against a hang, not a measure: each wait returns as soon as its condition holds. */
const SETTLE_TIMEOUT_MS = 180_000;

async function waitUntil<T>(
  what: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  units: TestUnit[],
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
    const exited = units.find((unit) => unit.hasExited());
    if (Date.now() > deadline || exited) {
      throw new Error(
        `waiting for ${what}: ${exited ? `the agent of ${exited.systemId} exited` : 'not reached'}.\nlast: ${JSON.stringify(last, null, 2)}\nlast error: ${String(lastError)}\n` +
          units.map((unit) => `--- ${unit.systemId}:\n${unit.output().slice(-4000)}`).join('\n'),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const isActive = (status: UnitStatus, serviceId: string, version: string) =>
  status.unit.connection === 'online' &&
  status.instances.some(
    (instance) => instance.serviceId === serviceId && instance.version === version && instance.state === 'active',
  );

export function describeRollouts(database: 'pglite' | 'postgres'): void {
  describe(`rollouts end to end with real agents on ${database}`, () => {
    let fleet: Fleet;
    let service: UploadedVersion;
    let verifier: TestUnit;
    let alpha: TestUnit;
    let beta: TestUnit;
    let subjectId: string;
    const units = () => [verifier, alpha, beta];
    const status = async (unit: TestUnit) =>
      (await fleet.aosJson<{ unit: UnitStatus }>(['status', '--unit', unit.systemId])).unit;
    const waitActive = (unit: TestUnit, version: string) =>
      waitUntil(
        `${unit.systemId} active on ${version}`,
        () => status(unit),
        (current) => isActive(current, service.serviceId, version),
        units(),
      );
    const commit = (unit: TestUnit, version: string) =>
      unit.waitForOutput(new RegExp(`${service.serviceId}@${version.replaceAll('.', '\\.')} is active`));
    const showRollout = (id: string) => fleet.aosJson<RolloutShown>(['rollout', 'show', id]);

    beforeAll(
      async () => {
        fleet = await startFleet(database);
        service = await createService(fleet, { title: 'rolled' });
        // 1.0.0 approved before any subject binds the service: no rollout, every unit gets it.
        await fleet.aos(['version', 'approve', service.versionId]);
        const tag = `${database}-${process.pid}`;
        verifier = await createUnit(fleet, `ro-verify-${tag}`);
        alpha = await createUnit(fleet, `ro-alpha-${tag}`);
        beta = await createUnit(fleet, `ro-beta-${tag}`);
        for (const unit of units()) {
          await unit.provision();
          await unit.start();
        }
        const set = await fleet.aosJson<{ id: string }>([
          'unit-set',
          'create',
          '--name',
          'verification',
          '--verification',
        ]);
        await fleet.aos(['unit-set', 'add-units', set.id, verifier.id]);
        subjectId = (await fleet.aosJson<{ id: string }>(['subject', 'create', '--name', 'rollout fleet'])).id;
        await fleet.aos([
          'subject',
          'bind',
          subjectId,
          '--service',
          service.serviceId,
          '--unit',
          alpha.id,
          '--unit',
          beta.id,
          '--unit-set',
          set.id,
        ]);
        for (const unit of units()) {
          await waitActive(unit, '1.0.0');
          await commit(unit, '1.0.0');
        }
      },
      CLOUD_START_TIMEOUT_MS + 4 * SETTLE_TIMEOUT_MS,
    );

    afterAll(async () => {
      for (const unit of units()) await unit?.remove();
      await fleet?.close();
    });

    it(
      'gives an uploaded version to the verification unit first, to the others after the rollout',
      { timeout: 3 * SETTLE_TIMEOUT_MS },
      async () => {
        const next = await uploadVersion(fleet, { ...service, version: '1.0.1' });
        await waitActive(verifier, '1.0.1');
        for (const unit of [alpha, beta]) {
          const current = await status(unit);
          expect(current.desired?.items.find((item) => item.serviceId === service.serviceId)?.version).toBe('1.0.0');
        }
        const [started] = await fleet.aosJson<RolloutShown[]>([
          'rollout',
          'start',
          next.versionId,
          '--subject',
          subjectId,
          '--waves',
          '1,100%',
          '--soak',
          '3s',
          '--threshold',
          '50%',
          '--on-failure',
          'abort',
        ]);
        expect(started?.waveCount).toBe(2);
        expect(started?.units.map((unit) => unit.systemId).sort()).toEqual([alpha.systemId, beta.systemId].sort());
        const done = await waitUntil(
          'the rollout of 1.0.1 completed',
          () => showRollout(started!.id),
          (shown) => shown.status === 'completed',
          units(),
        );
        expect(done.events.filter((event) => event.kind === 'wave-started').map((event) => event.wave)).toEqual([1, 2]);
        for (const unit of [alpha, beta]) {
          await waitActive(unit, '1.0.1');
          await commit(unit, '1.0.1');
        }
        await commit(verifier, '1.0.1');
        service = next;
      },
    );

    it(
      'stops a broken version at its first wave and sends that unit back',
      { timeout: 3 * SETTLE_TIMEOUT_MS },
      async () => {
        const broken = await uploadVersion(fleet, { ...service, version: '1.0.2', cmd: 'python3 -u /missing.py' });
        const [started] = await fleet.aosJson<RolloutShown[]>([
          'rollout',
          'start',
          broken.versionId,
          '--subject',
          subjectId,
          '--waves',
          '1,100%',
          // Longer than the agent takes to give up: on a loaded machine python may take seconds to
          // fail, and a unit whose instance stays up that long is active for a 3 s soak.
          '--soak',
          '30s',
          '--threshold',
          '50%',
          '--on-failure',
          'abort',
          // No --active-timeout: the agent's own restart policy fails the crash loop (startBurst
          // failed starts in a row, however slowly a loaded machine starts them) and rolls it back.
        ]);
        const firstWave = started!.units.find((unit) => unit.wave === 1)!;
        const first = firstWave.systemId === alpha.systemId ? alpha : beta;
        const other = first === alpha ? beta : alpha;
        const stopped = await waitUntil(
          'the rollout of 1.0.2 aborted',
          () => showRollout(started!.id),
          (shown) => shown.status === 'aborted',
          units(),
        );
        expect(stopped.wave).toBe(1);
        expect(stopped.events.find((event) => event.kind === 'aborted')?.reason).toMatch(
          /every updated unit failed.*reverting/,
        );
        const failed = stopped.units.find((unit) => unit.systemId === first.systemId);
        expect(failed?.state).toBe('failed');
        expect(failed?.reason).toMatch(/start burst exceeded/);
        // The first unit's desired status is 1.0.1 again, and it runs it.
        const back = await waitUntil(
          `${first.systemId} sent back to 1.0.1`,
          () => status(first),
          (current) =>
            current.desired?.items.some((item) => item.serviceId === service.serviceId && item.version === '1.0.1') ===
              true && isActive(current, service.serviceId, '1.0.1'),
          units(),
        );
        expect(back.desired?.items.find((item) => item.serviceId === service.serviceId)?.version).toBe('1.0.1');
        // The other unit never got 1.0.2.
        const untouched = await status(other);
        expect(untouched.desired?.items.find((item) => item.serviceId === service.serviceId)?.version).toBe('1.0.1');
        expect(untouched.items.some((item) => item.version === '1.0.2')).toBe(false);
        expect(isActive(untouched, service.serviceId, '1.0.1')).toBe(true);
        const listed = await fleet.aosJson<{ id: string; status: string }[]>([
          'rollout',
          'list',
          '--service',
          service.serviceId,
        ]);
        expect(listed.map((rollout) => rollout.status)).toEqual(['aborted', 'completed']);
      },
    );
  });
}
