import { mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { readPkcs12 } from '@openaos/pki';
import { computeStateChecksum, type NewState } from '@openaos/protocol/v7';
import { buildServicePackage } from '@openaos/service-package';
import type { Actor } from '../../actor.js';
import { createCloudFixture, type CloudFixture } from '../../testing/cloud-fixture.js';
import type { UnitEvent } from '../../unit-events/unit-events.js';
import { serviceConfigYaml } from '../../testing/service-packages.js';
import { uploadServiceVersion } from '../upload.js';
import { acceptNewState, answerStateRequest, markStateDelivered, pendingStateUpdates } from './unit-state-messages.js';

async function expectCode(promise: Promise<unknown>, code: TRPCError['code']): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
  return (error as TRPCError).message;
}

const STATE_LIMIT = 64;
const SUBJECT = 'fleet';

describe.each(['pglite', 'postgres'] as const)('instance state on %s', (driver) => {
  let cloud: CloudFixture;
  let oem: Actor;
  let otherOem: Actor;
  let sp: Actor;
  let otherSp: Actor;
  let serviceId: string;
  let unitId: string;
  const events: UnitEvent[] = [];

  const newState = (state: string, checksum = computeStateChecksum(state)): NewState => ({
    messageType: 'newState',
    item: { id: serviceId },
    subject: { codename: SUBJECT },
    instance: 0,
    stateChecksum: checksum,
    state,
  });

  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    cloud.deps.unitEvents.subscribe((event) => events.push(event));
    oem = await cloud.addUser('oem', 'Maker', 'oem@maker.example');
    otherOem = await cloud.addUser('oem', 'Other maker', 'oem@other.example');
    sp = await cloud.addUser('sp', 'Provider', 'sp@provider.example');
    otherSp = await cloud.addUser('sp', 'Other provider', 'sp@other.example');
    serviceId = (await cloud.caller(sp).services.create({ title: 'Counter' })).id;
    // A real package with a state quota and a default state (meta/state.dat), uploaded as the SP.
    const credential = readPkcs12(Buffer.from((await cloud.caller(sp).credentials.issue()).pkcs12Base64, 'base64'));
    const directory = await mkdtemp(join(tmpdir(), 'openaos-state-service-'));
    await mkdir(join(directory, 'meta'), { recursive: true });
    await mkdir(join(directory, 'src', 'app'), { recursive: true });
    const config = serviceConfigYaml(serviceId, '1.0.0').replace(
      '        mem: 32MB\n',
      `        mem: 32MB\n        state: ${STATE_LIMIT}B\n    state:\n        filename: state.dat\n        required: true\n`,
    );
    await writeFile(join(directory, 'meta', 'config.yaml'), config);
    await writeFile(join(directory, 'meta', 'state.dat'), 'count=0\n');
    await writeFile(join(directory, 'src', 'app', 'hello.sh'), '#!/bin/sh\nsleep 3600\n', { mode: 0o755 });
    const built = await buildServicePackage({
      serviceDir: directory,
      credential,
      outputPath: join(directory, 'out', 'service.tar.gz'),
    });
    const uploaded = await uploadServiceVersion(cloud.deps, sp, {
      serviceId,
      version: '1.0.0',
      packagePath: built.path,
      packageSize: (await stat(built.path)).size,
    });
    expect(uploaded.state).toBe('ready');
    unitId = (await cloud.caller(oem).units.create({ systemId: 'car-1', model: 'rpi4' })).id;
    await cloud.caller(otherOem).units.create({ systemId: 'car-9', model: 'x' });
    await cloud.deps.db.insert(schema.unitInstanceStatuses).values({
      unitId,
      itemId: serviceId,
      subjectId: SUBJECT,
      instance: 0,
      version: '1.0.0',
      state: 'active',
      reportedAt: new Date(),
    });
  }, 120_000);
  afterAll(async () => {
    await cloud?.close();
  });

  it('answers a fresh instance’s stateRequest with the package’s default state', async () => {
    const update = await answerStateRequest(cloud.deps, unitId, {
      messageType: 'stateRequest',
      item: { id: serviceId },
      subject: { codename: SUBJECT },
      instance: 0,
      default: false,
    });
    expect(update).toMatchObject({ state: 'count=0\n', stateChecksum: computeStateChecksum('count=0\n'), instance: 0 });
  });

  it('accepts a newState within the limit and refuses one over it or with a wrong checksum, saying why', async () => {
    const accepted = await acceptNewState(cloud.deps, unitId, newState('count=7\n'));
    expect(accepted.reply).toMatchObject({ result: 'accepted', checksum: computeStateChecksum('count=7\n') });
    const tooBig = await acceptNewState(cloud.deps, unitId, newState('x'.repeat(STATE_LIMIT + 1)));
    expect(tooBig.reply.result).toBe('rejected');
    expect(tooBig.reply.reason).toMatch(/65 bytes, over the service's state limit of 64 bytes/);
    const wrong = await acceptNewState(cloud.deps, unitId, newState('count=8\n', computeStateChecksum('other')));
    expect(wrong.reply).toMatchObject({ result: 'rejected' });
    expect(wrong.reply.reason).toMatch(/stateChecksum does not match/);
    // The kept state is the accepted one; a stateRequest now gets it back (default: the package's).
    const request = {
      messageType: 'stateRequest',
      item: { id: serviceId },
      subject: { codename: SUBJECT },
      instance: 0,
    } as const;
    expect((await answerStateRequest(cloud.deps, unitId, { ...request, default: false }))?.state).toBe('count=7\n');
    expect((await answerStateRequest(cloud.deps, unitId, { ...request, default: true }))?.state).toBe('count=0\n');
    const read = await cloud.caller(sp).state.get({ serviceId, unit: 'car-1' });
    expect(read).toMatchObject({ content: 'count=7\n', source: 'unit', subjectId: SUBJECT, isDelivered: true });
  });

  it('lets the SP set a state, kept until the unit acknowledges it; a newState meanwhile is refused', async () => {
    events.length = 0;
    const set = await cloud.caller(sp).state.set({ serviceId, unit: 'car-1', instance: 0, content: 'count=100\n' });
    expect(set).toMatchObject({ content: 'count=100\n', source: 'cloud', isDelivered: false });
    await expect.poll(() => events.map((event) => event.kind)).toContain('state-changed');
    expect(events.find((event) => event.kind === 'state-changed')).toMatchObject({
      unitIds: [unitId],
      serviceIds: [serviceId],
    });
    const pending = await pendingStateUpdates(cloud.deps, unitId);
    expect(pending.map((item) => item.message)).toEqual([
      {
        messageType: 'updateState',
        item: { id: serviceId },
        subject: { codename: SUBJECT },
        instance: 0,
        stateChecksum: computeStateChecksum('count=100\n'),
        state: 'count=100\n',
      },
    ]);
    const meanwhile = await acceptNewState(cloud.deps, unitId, newState('count=8\n'));
    expect(meanwhile.reply.result).toBe('rejected');
    await markStateDelivered(cloud.deps, unitId, pending[0]!.key, pending[0]!.checksum);
    expect(await pendingStateUpdates(cloud.deps, unitId)).toEqual([]);
    expect((await cloud.caller(oem).state.get({ serviceId, unit: 'car-1' })).isDelivered).toBe(true);
    const message = await expectCode(
      cloud.caller(sp).state.set({ serviceId, unit: 'car-1', content: 'y'.repeat(STATE_LIMIT + 1) }),
      'BAD_REQUEST',
    );
    expect(message).toMatch(/over the service's state limit/);
  });

  it('lets no one else read or set it', async () => {
    await expectCode(cloud.caller(otherSp).state.get({ serviceId, unit: 'car-1' }), 'NOT_FOUND');
    await expectCode(cloud.caller(otherSp).state.set({ serviceId, unit: 'car-1', content: 'x' }), 'NOT_FOUND');
    await expectCode(cloud.caller(otherOem).state.get({ serviceId, unit: 'car-1' }), 'NOT_FOUND');
    await expectCode(cloud.caller(oem).state.set({ serviceId, unit: 'car-1', content: 'x' }), 'FORBIDDEN');
    await expectCode(cloud.caller(sp).state.get({ serviceId, unit: 'car-9' }), 'NOT_FOUND');
    expect(
      await expectCode(cloud.caller(sp).state.get({ serviceId, unit: 'car-1', instance: 3 }), 'NOT_FOUND'),
    ).toMatch(/runs no instance 3/);
    await expectCode(cloud.caller(null).state.get({ serviceId, unit: 'car-1' }), 'UNAUTHORIZED');
  });
});
