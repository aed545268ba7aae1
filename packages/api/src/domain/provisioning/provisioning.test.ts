import { createHash } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import type { Actor } from '../../actor.js';
import { createCloudFixture, type CloudFixture } from '../../testing/cloud-fixture.js';
import type { UnitEvent } from '../../unit-events/unit-events.js';
import { createProvisioningToken } from './create-token.js';

async function expectCode(promise: Promise<unknown>, code: TRPCError['code']): Promise<TRPCError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
  return error as TRPCError;
}

describe.each(['pglite', 'postgres'] as const)('provisioning tokens and revocation on %s', (driver) => {
  let cloud: CloudFixture;
  let oem: Actor;
  let otherOem: Actor;
  let sp: Actor;
  let unitId: string;
  const tokensOf = (id: string) =>
    cloud.deps.db.select().from(schema.provisioningTokens).where(eq(schema.provisioningTokens.unitId, id));

  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    oem = await cloud.addUser('oem', 'Maker', 'oem@maker.example');
    otherOem = await cloud.addUser('oem', 'Other maker', 'oem@other.example');
    sp = await cloud.addUser('sp', 'Provider', 'sp@provider.example');
    unitId = (await cloud.caller(oem).units.create({ systemId: 'unit-0001', model: 'rpi4' })).id;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('creates a one-time token: only its SHA-256 stored, the exact device command, expiry from the TTL', async () => {
    const now = new Date('2026-01-02T03:04:05.000Z');
    const result = await createProvisioningToken({ ...cloud.deps, now: () => now }, oem, {
      unit: 'unit-0001',
      ttlSeconds: 600,
      cloudUrl: 'http://cloud.example:3000/',
    });
    expect(result.token).toMatch(/^aosprov_[A-Za-z0-9_-]{43}$/);
    expect(result.unitId).toBe(unitId);
    expect(result.cloudUrl).toBe('http://cloud.example:3000');
    expect(result.expiresAt).toBe('2026-01-02T03:14:05.000Z');
    expect(result.command).toBe(
      `aos-agent provision --cloud http://cloud.example:3000 --token ${result.token} --system-id unit-0001`,
    );
    const rows = await tokensOf(unitId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.tokenHash).toBe(createHash('sha256').update(result.token).digest('hex'));
    expect(rows[0]?.tokenHash).not.toContain(result.token);
    expect(rows[0]?.createdBy).toBe(oem.userId);
    expect(rows[0]?.expiresAt.toISOString()).toBe(result.expiresAt);
  });

  it('asking again replaces the unused token but keeps used ones (for audit); by unit ID too; default TTL 1 h', async () => {
    const [previous] = await tokensOf(unitId);
    await cloud.deps.db
      .insert(schema.provisioningTokens)
      .values({ tokenHash: 'f'.repeat(64), unitId, expiresAt: new Date(), usedAt: new Date() });
    const before = Date.now();
    const again = await cloud.caller(oem).units.provisionToken({ unit: unitId, cloudUrl: 'https://cloud.example' });
    const hashes = (await tokensOf(unitId)).map((row) => row.tokenHash).sort();
    expect(hashes).toEqual([createHash('sha256').update(again.token).digest('hex'), 'f'.repeat(64)].sort());
    expect(hashes).not.toContain(previous?.tokenHash);
    const lifetime = new Date(again.expiresAt).getTime() - before;
    expect(lifetime).toBeGreaterThan(3590_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000 + (Date.now() - before));
  });

  it('the configured public URL wins over the caller address; without either it is refused naming cloudUrl', async () => {
    const configured = await createProvisioningToken({ ...cloud.deps, publicUrl: 'https://aos.example.com' }, oem, {
      unit: 'unit-0001',
      cloudUrl: 'http://10.0.0.1:3000',
    });
    expect(configured.command).toMatch(/^aos-agent provision --cloud https:\/\/aos\.example\.com --token /);
    const error = await expectCode(cloud.caller(oem).units.provisionToken({ unit: 'unit-0001' }), 'BAD_REQUEST');
    expect(error.message).toMatch(/^cloudUrl: .*OPENAOS_PUBLIC_URL/);
    const bad = await expectCode(
      cloud.caller(oem).units.provisionToken({ unit: 'unit-0001', cloudUrl: 'ftp://x' }),
      'BAD_REQUEST',
    );
    expect(bad.message).toContain('cloudUrl');
  });

  it('keeps the TTL between 1 minute and 7 days', async () => {
    const cloudUrl = 'http://cloud.example';
    for (const ttlSeconds of [59, 7 * 24 * 3600 + 1, 1.5]) {
      await expectCode(cloud.caller(oem).units.provisionToken({ unit: unitId, cloudUrl, ttlSeconds }), 'BAD_REQUEST');
      await expect(createProvisioningToken(cloud.deps, oem, { unit: unitId, cloudUrl, ttlSeconds })).rejects.toThrow(
        /^ttlSeconds: /,
      );
    }
    const week = await cloud.caller(oem).units.provisionToken({ unit: unitId, cloudUrl, ttlSeconds: 7 * 24 * 3600 });
    expect(new Date(week.expiresAt).getTime() - Date.now()).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
  });

  it('only OEM users of the unit organisation create tokens; nothing is stored for a refused call', async () => {
    const before = (await tokensOf(unitId)).map((row) => row.tokenHash).sort();
    const cloudUrl = 'http://cloud.example';
    await expectCode(cloud.caller(sp).units.provisionToken({ unit: unitId, cloudUrl }), 'FORBIDDEN');
    await expectCode(cloud.caller(cloud.admin).units.provisionToken({ unit: unitId, cloudUrl }), 'FORBIDDEN');
    await expectCode(cloud.caller(otherOem).units.provisionToken({ unit: unitId, cloudUrl }), 'NOT_FOUND');
    await expectCode(cloud.caller(otherOem).units.provisionToken({ unit: 'unit-0001', cloudUrl }), 'NOT_FOUND');
    await expectCode(cloud.caller(null).units.provisionToken({ unit: unitId, cloudUrl }), 'UNAUTHORIZED');
    await expectCode(cloud.caller(oem).units.provisionToken({ unit: 'no-such-unit', cloudUrl }), 'NOT_FOUND');
    expect((await tokensOf(unitId)).map((row) => row.tokenHash).sort()).toEqual(before);
  });

  it('revokes: revokedAt set, fingerprint kept, unused tokens gone, a history row, and the revoked announcement', async () => {
    await cloud.deps.db
      .update(schema.units)
      .set({ state: 'provisioned', provisionedAt: new Date(), certificateFingerprint: 'AA:BB' })
      .where(eq(schema.units.id, unitId));
    await expectCode(cloud.caller(sp).units.revoke({ unit: unitId }), 'FORBIDDEN');
    await expectCode(cloud.caller(otherOem).units.revoke({ unit: unitId }), 'NOT_FOUND');
    await expectCode(cloud.caller(otherOem).units.status({ unit: unitId }), 'NOT_FOUND');
    expect((await cloud.caller(oem).units.get({ id: unitId })).revokedAt).toBeNull();

    const heard: UnitEvent[] = [];
    const revokedHeard = new Promise<void>((resolve) => {
      const stop = cloud.deps.unitEvents.subscribe((event) => {
        heard.push(event);
        if (event.kind === 'revoked') {
          stop();
          resolve();
        }
      });
    });
    const revoked = await cloud.caller(oem).units.revoke({ unit: 'unit-0001' });
    await revokedHeard;
    expect(heard.find((event) => event.kind === 'revoked')?.unitIds).toEqual([unitId]);
    expect(revoked.revokedAt).not.toBeNull();
    expect(revoked.state).toBe('provisioned');
    const [row] = await cloud.deps.db.select().from(schema.units).where(eq(schema.units.id, unitId));
    expect(row?.certificateFingerprint).toBe('AA:BB');
    expect((await tokensOf(unitId)).every((token) => token.usedAt !== null)).toBe(true);
    const history = await cloud.caller(oem).units.history({ unit: unitId });
    expect(history.events[0]).toMatchObject({ kind: 'unit', state: 'revoked' });

    // Again: nothing changes, no second history row.
    const again = await cloud.caller(oem).units.revoke({ unit: unitId });
    expect(again.revokedAt).toBe(revoked.revokedAt);
    expect((await cloud.caller(oem).units.history({ unit: unitId })).events).toHaveLength(history.events.length);
  });
});
