import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import type { Actor } from '../../actor.js';
import { createCloudFixture, type CloudFixture } from '../../testing/cloud-fixture.js';
import { resolveLogTarget } from './log-target.js';

describe.each(['pglite', 'postgres'] as const)('who may read which log (%s)', (driver) => {
  let fixture: CloudFixture;
  let sp: Actor;
  let otherSp: Actor;
  let oem: Actor;
  let otherOem: Actor;
  let serviceId = '';

  beforeAll(async () => {
    fixture = await createCloudFixture(driver);
    sp = await fixture.addUser('sp', 'SP one', 'sp@one.example');
    otherSp = await fixture.addUser('sp', 'SP two', 'sp@two.example');
    oem = await fixture.addUser('oem', 'OEM one', 'oem@one.example');
    otherOem = await fixture.addUser('oem', 'OEM two', 'oem@two.example');
    serviceId = (await fixture.caller(sp).services.create({ title: 'counter' })).id;
    // One at a time: PGlite has one connection.
    const carA = await fixture.caller(oem).units.create({ systemId: 'car-a', model: 'test' });
    const carB = await fixture.caller(oem).units.create({ systemId: 'car-b', model: 'test' });
    const otherCar = await fixture.caller(otherOem).units.create({ systemId: 'car-z', model: 'test' });
    const reportedAt = new Date();
    const row = (unitId: string, instance: number) => ({
      unitId,
      itemId: serviceId,
      subjectId: 'subject-1',
      instance,
      version: '1.0.0',
      state: 'active',
      reportedAt,
    });
    await fixture.deps.db
      .insert(schema.unitInstanceStatuses)
      .values([row(carA.id, 0), row(carA.id, 1), row(carB.id, 0), row(otherCar.id, 0)]);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('lets the SP read its own service’s instance on a named unit, the lowest index by default', async () => {
    const target = await resolveLogTarget(fixture.deps.db, sp, { serviceId, systemId: 'car-a' });
    expect(target).toMatchObject({
      kind: 'instance',
      systemId: 'car-a',
      serviceId,
      subjectId: 'subject-1',
      instance: 0,
    });
    const second = await resolveLogTarget(fixture.deps.db, sp, { serviceId, systemId: 'car-a', instance: 1 });
    expect(second).toMatchObject({ instance: 1 });
  });

  it('asks which unit when several run it, naming them to the OEM and counting them for the SP', async () => {
    await expect(resolveLogTarget(fixture.deps.db, sp, { serviceId })).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringMatching(/3 units report an instance; name one with --unit/),
    });
    await expect(resolveLogTarget(fixture.deps.db, oem, { serviceId })).rejects.toMatchObject({
      message: expect.stringMatching(/units car-a, car-b report/),
    });
    // The other OEM sees one unit of its own: no question.
    await expect(resolveLogTarget(fixture.deps.db, otherOem, { serviceId })).resolves.toMatchObject({
      systemId: 'car-z',
    });
  });

  it('refuses another SP as if the service did not exist, and an OEM on another OEM’s unit', async () => {
    await expect(resolveLogTarget(fixture.deps.db, otherSp, { serviceId, systemId: 'car-a' })).rejects.toMatchObject({
      code: 'not-found',
    });
    await expect(resolveLogTarget(fixture.deps.db, otherOem, { serviceId, systemId: 'car-a' })).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('gives the agent log to the unit’s OEM only', async () => {
    await expect(resolveLogTarget(fixture.deps.db, oem, { agent: true, systemId: 'car-b' })).resolves.toMatchObject({
      kind: 'agent',
      systemId: 'car-b',
    });
    await expect(resolveLogTarget(fixture.deps.db, otherOem, { agent: true, systemId: 'car-b' })).rejects.toMatchObject(
      {
        code: 'not-found',
      },
    );
    await expect(resolveLogTarget(fixture.deps.db, sp, { agent: true, systemId: 'car-b' })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('says what is missing: no service named, an instance no unit reports', async () => {
    await expect(resolveLogTarget(fixture.deps.db, sp, {})).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(resolveLogTarget(fixture.deps.db, sp, { serviceId, instance: 7 })).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('instance 7'),
    });
  });
});
