/**
 * Rollouts over 200 simulated units speaking v7 to a real gateway (testing/simulated-fleet.ts), on
 * PGlite and PostgreSQL: a healthy rollout through every wave, one where 30 % of the units fail
 * that stops at the first wave over the threshold and reverts, pause/resume, and a cloud restart in
 * the middle. The rollout runner drives them as in the cloud (timer + status announcements).
 */
import { stat } from 'node:fs/promises';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { readPkcs12 } from '@openaos/pki';
import type { Actor } from '../../actor.js';
import { uploadServiceVersion } from '../upload.js';
import { registerCloudProcess, renewHeartbeat } from '../cloud-processes.js';
import { createCloudFixture, type CloudFixture } from '../../testing/cloud-fixture.js';
import { startGatewayServer, type GatewayServer } from '../../testing/gateway-server.js';
import { makeServicePackage } from '../../testing/service-packages.js';
import { startSimulatedFleet, type SimulatedFleet } from '../../testing/simulated-fleet.js';
import { waitFor } from '../../testing/wait-for.js';
import { advanceRollouts } from './advance-rollout.js';
import type { RolloutPlanInput } from './plan.js';
import { startRolloutRunner, type RolloutRunner } from './rollout-runner.js';

const UNITS = 200;
const FLEET_TIMEOUT = 180_000;
const plan: RolloutPlanInput = {
  waves: [{ percent: 1 }, { percent: 10 }, { percent: 50 }, { percent: 100 }],
  soakSeconds: 0,
  failureThresholdPercent: 20,
  failureMinUnits: 5,
  onFailure: 'abort',
};
/** Which unit fails which version: 30 % of the units (indexes 0–2 of every 10) fail 1.2.0. */
const isBroken = (unit: { index: number }, _serviceId: string, version: string) =>
  version === '1.2.0' && unit.index % 10 < 3;

describe.each(['pglite', 'postgres'] as const)(
  'rollouts over %i simulated units on %s'.replace('%i', String(UNITS)),
  (driver) => {
    let cloud: CloudFixture;
    let oem: Actor;
    let sp: Actor;
    let gateway: GatewayServer;
    let runner: RolloutRunner;
    let fleet: SimulatedFleet;
    let serviceId: string;
    let subjectId: string;
    /** The cloud process that renews its heartbeat (the fixture runs no maintenance timer): the units it holds are online. */
    let processId: string;
    let heartbeat: NodeJS.Timeout | undefined;
    /** One unit that joins the subject in the middle of a rollout (the last test). */
    let late: SimulatedFleet | undefined;

    const upload = async (version: string) => {
      const credential = readPkcs12(Buffer.from((await cloud.caller(sp).credentials.issue()).pkcs12Base64, 'base64'));
      const packagePath = await makeServicePackage(credential, serviceId, version);
      const result = await uploadServiceVersion(cloud.deps, sp, {
        serviceId,
        version,
        packagePath,
        packageSize: (await stat(packagePath)).size,
      });
      expect(result.state).toBe('ready');
      return result.id;
    };
    const show = (id: string) => cloud.caller(oem).rollouts.show({ id });
    const waitForStatus = (id: string, status: string) =>
      waitFor(
        async () => ((await show(id)).status === status ? show(id) : undefined),
        `rollout ${status}`,
        FLEET_TIMEOUT,
      );
    const hasVersion = (unit: SimulatedFleet['units'][number], version: string) =>
      unit.lastItems().some((item) => item.item.id === serviceId && item.version === version);

    beforeAll(async () => {
      cloud = await createCloudFixture(driver);
      processId = cloud.deps.process.id;
      heartbeat = setInterval(() => void renewHeartbeat(cloud.deps.db, processId).catch(() => undefined), 2000);
      oem = await cloud.addUser('oem', 'Maker', 'o@maker.example');
      sp = await cloud.addUser('sp', 'Provider', 'p@provider.example');
      gateway = await startGatewayServer(cloud.deps, { limits: { pingIntervalMs: 0 }, initialPushDelayMs: 60_000 });
      serviceId = (await cloud.caller(sp).services.create({ title: 'hello' })).id;
      subjectId = (await cloud.caller(oem).subjects.create({ name: 'fleet' })).id;
      // 1.0.0 approved before any subject binds the service: no rollout, every unit gets it at once.
      await cloud.caller(oem).versions.approve({ id: await upload('1.0.0') });
      fleet = await startSimulatedFleet({
        cloud,
        oem,
        url: gateway.url,
        count: UNITS,
        prefix: `sim-${driver}`,
        isBroken,
      });
      await cloud.caller(oem).subjects.bind({
        id: subjectId,
        serviceIds: [serviceId],
        unitIds: fleet.units.map((unit) => unit.unitId),
      });
      await waitFor(() => fleet.units.every((unit) => hasVersion(unit, '1.0.0')), 'every unit on 1.0.0', FLEET_TIMEOUT);
      runner = startRolloutRunner(cloud.deps, { intervalMs: 250 });
    }, FLEET_TIMEOUT * 2);

    afterAll(async () => {
      clearInterval(heartbeat);
      await runner?.stop();
      await late?.disconnect();
      await fleet?.disconnect();
      await gateway?.close();
      await cloud?.close();
    });

    it(
      'a healthy rollout goes through every wave, each wave only after the one before was healthy',
      { timeout: FLEET_TIMEOUT },
      async () => {
        const versionId = await upload('1.1.0');
        const [started] = await cloud.caller(oem).rollouts.start({ versionId, subjectIds: [subjectId], plan });
        if (UNITS === 200) expect(started?.waves.map((wave) => wave.units)).toEqual([2, 18, 80, 100]);
        const done = await waitForStatus(started!.id, 'completed');
        expect(done.counts).toMatchObject({ active: UNITS, failed: 0, pending: 0 });
        const waveStarts = done.events.filter((event) => event.kind === 'wave-started');
        expect(waveStarts.map((event) => event.wave)).toEqual([1, 2, 3, 4]);
        // No unit got 1.1.0 before its wave started; the wave before was all active by then.
        const member = new Map(done.units.map((unit) => [unit.unitId, unit.wave]));
        for (const unit of fleet.units) {
          const wave = member.get(unit.unitId)!;
          const got = unit.received.get(`${serviceId}@1.1.0`);
          expect(got, unit.systemId).toBeDefined();
          expect(got!.getTime()).toBeGreaterThanOrEqual(new Date(waveStarts[wave - 1]!.at).getTime());
        }
        await waitFor(
          () => fleet.units.every((unit) => hasVersion(unit, '1.1.0')),
          'every unit on 1.1.0',
          FLEET_TIMEOUT,
        );
      },
    );

    it(
      '30 % failing stops at the first wave over the threshold and reverts those units',
      { timeout: FLEET_TIMEOUT },
      async () => {
        const versionId = await upload('1.2.0');
        const [started] = await cloud.caller(oem).rollouts.start({ versionId, subjectIds: [subjectId], plan });
        const stopped = await waitForStatus(started!.id, 'aborted');
        const aborted = stopped.events.find((event) => event.kind === 'aborted')!;
        expect(aborted.reason).toMatch(/failed.*reverting/);
        // The first wave whose cumulative failures cross the threshold, if every unit of it had finished.
        const index = new Map(fleet.units.map((unit, position) => [unit.unitId, position]));
        let crossing = 0;
        for (let wave = 1; wave <= stopped.waveCount; wave++) {
          const reached = stopped.units.filter((unit) => unit.wave <= wave);
          const failing = reached.filter((unit) =>
            isBroken({ index: index.get(unit.unitId)! }, serviceId, '1.2.0'),
          ).length;
          if (
            failing > 0 &&
            (failing === reached.length || (reached.length >= 5 && failing * 100 >= 20 * reached.length))
          ) {
            crossing = wave;
            break;
          }
        }
        expect(crossing).toBeGreaterThan(0);
        expect(aborted.wave).toBeLessThanOrEqual(crossing);
        expect(stopped.wave).toBe(aborted.wave);
        // Only the units of the waves started ever got 1.2.0, and every one of them is sent back to 1.1.0.
        const reachedIds = new Set(
          stopped.units.filter((unit) => unit.wave <= aborted.wave!).map((unit) => unit.unitId),
        );
        const got = fleet.units.filter((unit) => unit.received.has(`${serviceId}@1.2.0`));
        expect(got.length).toBeGreaterThan(0);
        expect(got.every((unit) => reachedIds.has(unit.unitId))).toBe(true);
        await waitFor(
          () => fleet.units.every((unit) => hasVersion(unit, '1.1.0')),
          'every unit back on 1.1.0',
          FLEET_TIMEOUT,
        );
      },
    );

    it('pause holds the rollout in its wave; resume takes it to the end', { timeout: FLEET_TIMEOUT }, async () => {
      const versionId = await upload('1.3.0');
      const [started] = await cloud.caller(oem).rollouts.start({
        versionId,
        subjectIds: [subjectId],
        plan: { ...plan, soakSeconds: 3 },
      });
      const paused = await cloud.caller(oem).rollouts.pause({ id: started!.id, reason: 'checking the dashboards' });
      expect(paused.status).toBe('paused');
      await expect(cloud.caller(oem).rollouts.pause({ id: started!.id })).rejects.toThrow(/it is paused/);
      const firstWave = new Set(paused.units.filter((unit) => unit.wave === 1).map((unit) => unit.unitId));
      await waitFor(
        () => fleet.units.filter((unit) => firstWave.has(unit.unitId)).every((unit) => hasVersion(unit, '1.3.0')),
        'wave 1 on 1.3.0',
        FLEET_TIMEOUT,
      );
      // Passes while paused decide nothing, though the wave is healthy and past its soak time.
      await waitFor(
        () => Date.now() >= new Date(paused.waveStartedAt).getTime() + 3000,
        'the soak time over',
        FLEET_TIMEOUT,
      );
      const results = await advanceRollouts(cloud.deps, [started!.id]);
      expect(results).toEqual([]);
      expect(fleet.units.filter((unit) => unit.received.has(`${serviceId}@1.3.0`)).length).toBe(firstWave.size);
      const resumed = await cloud.caller(oem).rollouts.resume({ id: started!.id });
      expect(resumed.status).toBe('running');
      const done = await waitForStatus(started!.id, 'completed');
      expect(done.events.map((event) => event.kind)).toEqual(
        expect.arrayContaining(['started', 'paused', 'resumed', 'completed']),
      );
      expect(done.events.find((event) => event.kind === 'paused')?.reason).toContain('checking the dashboards');
      await waitFor(() => fleet.units.every((unit) => hasVersion(unit, '1.3.0')), 'every unit on 1.3.0', FLEET_TIMEOUT);
    });

    it(
      'a cloud restart in the middle resumes the rollout where it was, re-issuing nothing',
      { timeout: FLEET_TIMEOUT },
      async () => {
        const versionId = await upload('1.4.0');
        const [started] = await cloud.caller(oem).rollouts.start({
          versionId,
          subjectIds: [subjectId],
          plan: { ...plan, waves: [{ percent: 10 }, { percent: 100 }] },
        });
        // The process stops before any pass of its runner: the start alone gave wave 1 the version.
        await runner.stop();
        const firstWave = new Set(started!.units.filter((unit) => unit.wave === 1).map((unit) => unit.unitId));
        await waitFor(
          () => fleet.units.filter((unit) => firstWave.has(unit.unitId)).every((unit) => hasVersion(unit, '1.4.0')),
          'wave 1 on 1.4.0',
          FLEET_TIMEOUT,
        );
        // Its gateway goes too, the units lose their sockets.
        await fleet.disconnect();
        await gateway.close();
        const generations = async () =>
          new Map(
            (await cloud.deps.db.select().from(schema.unitDesiredStatuses)).map((row) => [row.unitId, row.generation]),
          );
        const before = await generations();
        const eventsBefore = await cloud.deps.db
          .select()
          .from(schema.rolloutEvents)
          .where(eq(schema.rolloutEvents.rolloutId, started!.id))
          .orderBy(asc(schema.rolloutEvents.id));
        // A new process on the same database: registered anew, its own gateway and runner.
        processId = await registerCloudProcess(cloud.deps.db);
        const deps = { ...cloud.deps, process: { ...cloud.deps.process, id: processId } };
        gateway = await startGatewayServer(deps, { limits: { pingIntervalMs: 0 }, initialPushDelayMs: 60_000 });
        await fleet.connect(gateway.url);
        runner = startRolloutRunner(deps, { intervalMs: 250 });
        const done = await waitForStatus(started!.id, 'completed');
        const after = await generations();
        // Units of the first wave already had 1.4.0 issued: the restart issued them nothing new.
        for (const unitId of firstWave) expect(after.get(unitId), unitId).toBe(before.get(unitId));
        // The recorded history continues: the first wave started once, then the second, then done.
        expect(eventsBefore.filter((event) => event.kind === 'wave-started')).toHaveLength(1);
        expect(done.events.filter((event) => event.kind === 'wave-started').map((event) => event.wave)).toEqual([1, 2]);
        await waitFor(
          () => fleet.units.every((unit) => hasVersion(unit, '1.4.0')),
          'every unit on 1.4.0',
          FLEET_TIMEOUT,
        );
      },
    );

    it(
      'a newer rollout is refused while one runs, then supersedes it explicitly; a late joiner gets what the rollout reached',
      { timeout: FLEET_TIMEOUT },
      async () => {
        const heldId = await upload('1.5.0');
        // Held in its first wave (2 units) by a soak time longer than the test.
        const [held] = await cloud.caller(oem).rollouts.start({
          versionId: heldId,
          subjectIds: [subjectId],
          plan: { ...plan, waves: [{ count: 2 }, { percent: 100 }], soakSeconds: 3600 },
        });
        const firstWave = new Set(held!.units.filter((unit) => unit.wave === 1).map((unit) => unit.unitId));
        expect(firstWave.size).toBe(2);
        await waitFor(
          () => fleet.units.filter((unit) => firstWave.has(unit.unitId)).every((unit) => hasVersion(unit, '1.5.0')),
          'wave 1 on 1.5.0',
          FLEET_TIMEOUT,
        );
        // A unit joining the subject now is in no wave of it: it gets the version the others run, not 1.5.0.
        late = await startSimulatedFleet({
          cloud,
          oem,
          url: gateway.url,
          count: 1,
          prefix: `late-${driver}`,
          isBroken,
        });
        const joiner = late.units[0]!;
        await cloud.caller(oem).subjects.bind({ id: subjectId, unitIds: [joiner.unitId] });
        await waitFor(() => hasVersion(joiner, '1.4.0'), 'the late joiner on 1.4.0', FLEET_TIMEOUT);
        expect(joiner.received.has(`${serviceId}@1.5.0`)).toBe(false);

        const nextId = await upload('1.6.0');
        await expect(
          cloud.caller(oem).rollouts.start({ versionId: nextId, subjectIds: [subjectId], plan }),
        ).rejects.toThrow(/the rollout .* of 1\.5\.0 is running on this subject; abort it, or start with --supersede/);
        const [next] = await cloud.caller(oem).rollouts.start({
          versionId: nextId,
          subjectIds: [subjectId],
          plan,
          supersede: true,
        });
        const superseded = await show(held!.id);
        expect(superseded.status).toBe('superseded');
        expect(superseded.events.at(-1)).toMatchObject({ kind: 'superseded' });
        expect(superseded.events.at(-1)?.reason).toMatch(
          new RegExp(`superseded by the rollout ${next!.id} of 1\\.6\\.0`),
        );
        // The newer rollout covers the late joiner too, and takes every unit to 1.6.0.
        expect(next!.units.some((unit) => unit.unitId === joiner.unitId)).toBe(true);
        const done = await waitForStatus(next!.id, 'completed');
        expect(done.counts).toMatchObject({ active: UNITS + 1, failed: 0 });
        await waitFor(
          () => [...fleet.units, joiner].every((unit) => hasVersion(unit, '1.6.0')),
          'every unit on 1.6.0',
          FLEET_TIMEOUT,
        );
        // 1.5.0 never went past the wave it had reached.
        const got = fleet.units.filter((unit) => unit.received.has(`${serviceId}@1.5.0`));
        expect(got.map((unit) => unit.unitId).sort()).toEqual([...firstWave].sort());
        // Still one active rollout per service and subject.
        const listed = await cloud.caller(oem).rollouts.list({ serviceId });
        expect(listed.filter((rollout) => rollout.status === 'running' || rollout.status === 'paused')).toEqual([]);
      },
    );
  },
);
