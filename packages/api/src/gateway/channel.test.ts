import { eq } from 'drizzle-orm';
import type WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { createCertificateAuthority, issueUnitCertificate, readPkcs12 } from '@openaos/pki';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import { createEnvelope, encodeEnvelope } from '@openaos/protocol/v7';
import type { Actor } from '../actor.js';
import { createCloudFixture, type CloudFixture } from '../testing/cloud-fixture.js';
import { registerAndProvision, startGatewayServer, type GatewayServer } from '../testing/gateway-server.js';
import {
  connectTestUnit,
  unitAuthorization,
  UpgradeRefusedError,
  type TestUnit,
  type TestUnitIdentity,
} from '../testing/test-unit.js';
import { waitFor } from '../testing/wait-for.js';

async function refusal(promise: Promise<unknown>): Promise<UpgradeRefusedError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UpgradeRefusedError);
  return error as UpgradeRefusedError;
}

/** The next frame the raw socket receives, parsed. */
/** The next frame the cloud sends other than the desired status it pushes after the connect's full status (at any time). */
function nextFrame(socket: WebSocket): Promise<{ header: { txn: string }; data: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const listener = (frame: Buffer) => {
      const parsed = JSON.parse(frame.toString()) as { header: { txn: string }; data: Record<string, unknown> };
      if (parsed.data.messageType === 'desiredStatus') return;
      socket.off('message', listener);
      resolve(parsed);
    };
    socket.on('message', listener);
  });
}

describe.each(['pglite', 'postgres'] as const)('the unit channel with hostile peers, on %s', (driver) => {
  let cloud: CloudFixture;
  let oem: Actor;
  let gateway: GatewayServer;
  let unitA: { unitId: string; identity: TestUnitIdentity };
  let unitB: { unitId: string; identity: TestUnitIdentity };
  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    oem = await cloud.addUser('oem', 'Maker', 'o@maker.example');
    gateway = await startGatewayServer(cloud.deps, {
      limits: {
        pingIntervalMs: 0,
        maxFrameBytes: 64 * 1024,
        maxIncomingPerSecond: 5,
        maxIncomingBurst: 30,
        maxInvalidBurst: 3,
        maxInvalidPerMinute: 1,
      },
      initialPushDelayMs: 60_000,
    });
    unitA = await registerAndProvision(cloud, oem, gateway.url, 'unit-a');
    unitB = await registerAndProvision(cloud, oem, gateway.url, 'unit-b');
  });
  afterAll(async () => {
    await gateway?.close();
    await cloud?.close();
  });

  const unitRow = async (unitId: string) =>
    (await cloud.deps.db.select().from(schema.units).where(eq(schema.units.id, unitId)))[0];

  /** Unit B still talks normally: a status it sends is acknowledged. */
  async function expectOtherUnitUnaffected(): Promise<void> {
    const other = await connectTestUnit({ cloudUrl: gateway.url, identity: unitB.identity });
    await other.sendStatus({ isDeltaInfo: true, items: [] });
    await other.close();
  }

  it('marks a unit online while connected and offline with last-seen after', async () => {
    const unit = await connectTestUnit({ cloudUrl: gateway.url, identity: unitA.identity });
    await waitFor(async () => (await unitRow(unitA.unitId))?.connection === 'online', 'unit online');
    expect((await unitRow(unitA.unitId))?.connectedProcess).toBe(cloud.deps.process.id);
    await unit.close();
    const row = await waitFor(async () => {
      const current = await unitRow(unitA.unitId);
      return current?.connection === 'offline' ? current : undefined;
    }, 'unit offline');
    expect(row.connectedProcess).toBeNull();
    expect(row.lastSeenAt).toBeInstanceOf(Date);
  });

  it('refuses a forged unit: a self-made CA certificate, or one of our CA that is not the unit’s current one', async () => {
    const rogue = createCertificateAuthority({ commonName: 'Rogue CA', organization: 'OpenAos', validDays: 10 });
    const forged = issueUnitCertificate(rogue, { systemId: 'unit-a' });
    const forgedIdentity = { ...unitA.identity, credential: readPkcs12(forged.pkcs12) };
    const first = await refusal(connectTestUnit({ cloudUrl: gateway.url, identity: forgedIdentity }));
    expect([first.status, first.body.code]).toEqual([401, 'bad-proof']);
    const stray = issueUnitCertificate(cloud.deps.authority.ca, { systemId: 'unit-a' });
    const second = await refusal(
      connectTestUnit({ cloudUrl: gateway.url, identity: { ...unitA.identity, credential: readPkcs12(stray.pkcs12) } }),
    );
    expect([second.status, second.body.code]).toEqual([401, 'unknown-unit']);
    const wrongPath = await refusal(
      connectTestUnit({
        cloudUrl: gateway.url,
        identity: unitA.identity,
        authorization: unitAuthorization(unitA.identity.credential, 'GET', CLOUD_HTTP_PATHS.trpc),
      }),
    );
    expect(wrongPath.status).toBe(401);
    expect(
      (await refusal(connectTestUnit({ cloudUrl: gateway.url, identity: unitA.identity, authorization: 'Bearer x' })))
        .status,
    ).toBe(401);
  });

  it('refuses a replayed upgrade proof', async () => {
    const authorization = unitAuthorization(unitA.identity.credential, 'GET', CLOUD_HTTP_PATHS.unitChannel);
    const unit = await connectTestUnit({ cloudUrl: gateway.url, identity: unitA.identity, authorization });
    await unit.close();
    const replayed = await refusal(connectTestUnit({ cloudUrl: gateway.url, identity: unitA.identity, authorization }));
    expect([replayed.status, replayed.body.code]).toEqual([401, 'replayed-proof']);
  });

  it('keeps one socket per unit: a new connection replaces the old one', async () => {
    const first = await connectTestUnit({ cloudUrl: gateway.url, identity: unitA.identity });
    const second = await connectTestUnit({ cloudUrl: gateway.url, identity: unitA.identity });
    expect((await first.channel.closed).reason).toMatch(/replaced/);
    await second.sendStatus({ isDeltaInfo: true, items: [] });
    expect((await unitRow(unitA.unitId))?.connection).toBe('online');
    await second.close();
  });

  it('answers a malformed frame and a frame for another unit with a nack, applies nothing, and keeps going', async () => {
    const unit = await connectTestUnit({ cloudUrl: gateway.url, identity: unitA.identity });
    let reply = nextFrame(unit.socket);
    unit.socket.send('this is not JSON');
    expect((await reply).data).toMatchObject({ messageType: 'nack', errorInfo: { message: expect.any(String) } });
    const foreign = createEnvelope(
      {
        messageType: 'unitStatus',
        isDeltaInfo: false,
        items: [{ item: { id: unitB.unitId }, version: '9.9.9', state: 'failed' }],
      },
      { systemId: 'unit-b', sender: 'unit' },
    );
    reply = nextFrame(unit.socket);
    unit.socket.send(encodeEnvelope(foreign));
    expect((await reply).data).toMatchObject({ messageType: 'nack' });
    await unit.sendStatus({ isDeltaInfo: true, items: [] });
    const items = await cloud.deps.db.select().from(schema.unitItemStatuses);
    expect(items.filter((row) => row.version === '9.9.9')).toEqual([]);
    await unit.close();
  });

  it('closes a unit that sends an oversized frame (1009); the others are unaffected', async () => {
    const unit = await connectTestUnit({ cloudUrl: gateway.url, identity: unitA.identity });
    unit.socket.send(Buffer.alloc(100 * 1024, 0x20));
    expect((await unit.channel.closed).code).toBe(1009);
    await expectOtherUnitUnaffected();
  });

  it('closes a unit that floods messages (1008); the others are unaffected', async () => {
    const unit: TestUnit = await connectTestUnit({ cloudUrl: gateway.url, identity: unitA.identity });
    for (let i = 0; i < 100; i++) unit.sendStatus({ isDeltaInfo: true, items: [] }).catch(() => undefined);
    const closed = await unit.channel.closed;
    expect([closed.code, closed.reason]).toEqual([1008, 'too many messages per second']);
    await expectOtherUnitUnaffected();
  });

  it('refuses a revoked unit and closes its open socket', async () => {
    const unit = await connectTestUnit({ cloudUrl: gateway.url, identity: unitA.identity });
    await cloud.deps.db.update(schema.units).set({ revokedAt: new Date() }).where(eq(schema.units.id, unitA.unitId));
    await cloud.deps.unitEvents.announce({ kind: 'revoked', unitIds: [unitA.unitId] });
    expect((await unit.channel.closed).reason).toBe('unit revoked');
    const refused = await refusal(connectTestUnit({ cloudUrl: gateway.url, identity: unitA.identity }));
    expect([refused.status, refused.body.code]).toEqual([403, 'unit-revoked']);
    await expectOtherUnitUnaffected();
  });
});
