import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { describeSubject, readPemCertificates, verifyCertificateChain } from '@openaos/pki';
import type { Actor } from '../actor.js';
import { createCloudFixture, type CloudFixture } from '../testing/cloud-fixture.js';
import { insertProvisioningToken, startGatewayServer, type GatewayServer } from '../testing/gateway-server.js';
import { connectTestUnit, provisionTestUnit, UpgradeRefusedError } from '../testing/test-unit.js';

async function refusal(promise: Promise<unknown>): Promise<UpgradeRefusedError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UpgradeRefusedError);
  return error as UpgradeRefusedError;
}

describe.each(['pglite', 'postgres'] as const)('unit provisioning on %s', (driver) => {
  let cloud: CloudFixture;
  let oem: Actor;
  let gateway: GatewayServer;
  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    oem = await cloud.addUser('oem', 'Maker', 'o@maker.example');
    gateway = await startGatewayServer(cloud.deps, { limits: { pingIntervalMs: 0 } });
  });
  afterAll(async () => {
    await gateway?.close();
    await cloud?.close();
  });

  const newUnit = async (systemId: string) => (await cloud.caller(oem).units.create({ systemId, model: 'm' })).id;

  it('issues CN=systemId for the unit key (whatever the CSR asks), records it, and lets the unit connect', async () => {
    const unitId = await newUnit('unit-ok');
    const token = await insertProvisioningToken(cloud.deps, unitId);
    const identity = await provisionTestUnit({
      cloudUrl: gateway.url,
      systemId: 'unit-ok',
      token,
      csrCommonName: 'someone-else',
    });
    const [leaf, ...chain] = readPemCertificates(identity.chainPem);
    expect(describeSubject(leaf!).commonName).toBe('unit-ok');
    expect(() => verifyCertificateChain(leaf!, chain, [cloud.deps.authority.certificate], new Date())).not.toThrow();
    expect(leaf!.checkPrivateKey(identity.credential.privateKey)).toBe(true);
    const [row] = await cloud.deps.db.select().from(schema.units).where(eq(schema.units.id, unitId));
    expect(row).toMatchObject({ state: 'provisioned', certificateFingerprint: leaf!.fingerprint256, revokedAt: null });
    expect(row?.provisionedAt).toBeInstanceOf(Date);
    const [tokenRow] = await cloud.deps.db
      .select()
      .from(schema.provisioningTokens)
      .where(eq(schema.provisioningTokens.tokenHash, createHash('sha256').update(token).digest('hex')));
    expect(tokenRow?.usedAt).toBeInstanceOf(Date);
    const unit = await connectTestUnit({ cloudUrl: gateway.url, identity });
    await unit.close();
  });

  it('refuses an unknown token (401), a token of another unit (403), a used one (409), an expired one (410)', async () => {
    const unitId = await newUnit('unit-refusals');
    await newUnit('unit-other');
    expect(
      (await refusal(provisionTestUnit({ cloudUrl: gateway.url, systemId: 'unit-refusals', token: 'no-such-token' })))
        .status,
    ).toBe(401);
    const token = await insertProvisioningToken(cloud.deps, unitId);
    const other = await refusal(provisionTestUnit({ cloudUrl: gateway.url, systemId: 'unit-other', token }));
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('token-for-another-unit');
    await provisionTestUnit({ cloudUrl: gateway.url, systemId: 'unit-refusals', token });
    const used = await refusal(provisionTestUnit({ cloudUrl: gateway.url, systemId: 'unit-refusals', token }));
    expect(used.status).toBe(409);
    expect(used.body.message).toMatch(/already used/);
    const expired = await insertProvisioningToken(cloud.deps, unitId, { expiresAt: new Date(Date.now() - 1000) });
    expect(
      (await refusal(provisionTestUnit({ cloudUrl: gateway.url, systemId: 'unit-refusals', token: expired }))).status,
    ).toBe(410);
  });

  it('lets exactly one of two concurrent uses of a token win; the other gets 409', async () => {
    const unitId = await newUnit('unit-race');
    const token = await insertProvisioningToken(cloud.deps, unitId);
    const results = await Promise.allSettled(
      [1, 2, 3].map(() => provisionTestUnit({ cloudUrl: gateway.url, systemId: 'unit-race', token })),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as UpgradeRefusedError] : [],
    );
    expect(won).toHaveLength(1);
    expect(lost.map((error) => error.status)).toEqual([409, 409]);
  });

  it('re-provisioning replaces the certificate: the old identity is refused and its open socket closed', async () => {
    const unitId = await newUnit('unit-again');
    const first = await provisionTestUnit({
      cloudUrl: gateway.url,
      systemId: 'unit-again',
      token: await insertProvisioningToken(cloud.deps, unitId),
    });
    const connected = await connectTestUnit({ cloudUrl: gateway.url, identity: first });
    const second = await provisionTestUnit({
      cloudUrl: gateway.url,
      systemId: 'unit-again',
      token: await insertProvisioningToken(cloud.deps, unitId),
    });
    const closed = await connected.channel.closed;
    expect(closed.reason).toMatch(/provisioned again/);
    const refused = await refusal(connectTestUnit({ cloudUrl: gateway.url, identity: first }));
    expect(refused.status).toBe(401);
    const unit = await connectTestUnit({ cloudUrl: gateway.url, identity: second });
    await unit.close();
  });

  it('answers 429 to an address after too many refused attempts, before checking anything', async () => {
    const strict = await startGatewayServer(cloud.deps, {
      limits: { pingIntervalMs: 0 },
      refusedAttempts: { burst: 3, perSecond: 0.001 },
    });
    try {
      const unitId = await newUnit('unit-throttled');
      for (let i = 0; i < 3; i++) {
        const refused = await refusal(
          provisionTestUnit({ cloudUrl: strict.url, systemId: 'unit-throttled', token: `wrong-${i}` }),
        );
        expect(refused.status).toBe(401);
      }
      const token = await insertProvisioningToken(cloud.deps, unitId);
      const throttled = await refusal(provisionTestUnit({ cloudUrl: strict.url, systemId: 'unit-throttled', token }));
      expect([throttled.status, throttled.body.code]).toEqual([429, 'too-many-attempts']);
      // Not consumed: the throttled attempt never reached the token.
      await provisionTestUnit({ cloudUrl: gateway.url, systemId: 'unit-throttled', token });
    } finally {
      await strict.close();
    }
  });
});
