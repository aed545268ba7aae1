import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueUserCredential, readPkcs12 } from '@openaos/pki';
import { CLOUD_HTTP_PATHS, createCertificateToken } from '@openaos/protocol';
import type { Actor } from '../actor.js';
import { authenticateRequest } from '../http/authenticate-request.js';
import { createCloudFixture, type CloudFixture } from '../testing/cloud-fixture.js';
import { createContext } from './context.js';
import { createCaller } from './root.js';

async function expectCode(promise: Promise<unknown>, code: TRPCError['code']): Promise<TRPCError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
  return error as TRPCError;
}

describe.each(['pglite', 'postgres'] as const)('tRPC API on %s', (driver) => {
  let cloud: CloudFixture;
  let spA: Actor;
  let spB: Actor;
  let oem: Actor;
  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    spA = await cloud.addUser('sp', 'Provider A', 'a@sp.example');
    spB = await cloud.addUser('sp', 'Provider B', 'b@sp.example');
    oem = await cloud.addUser('oem', 'Maker', 'o@oem.example');
  });
  afterAll(async () => {
    await cloud?.close();
  });

  describe('accounts', () => {
    it('signs in with the bootstrap password and sets an httpOnly session cookie', async () => {
      const cookies: string[] = [];
      const context = await createContext({
        deps: cloud.deps,
        request: { method: 'POST', path: '/api/trpc/auth.signIn' },
        setCookie: (c) => cookies.push(c),
      });
      const result = await createCaller(context).auth.signIn({ email: 'ADMIN', password: cloud.adminPassword });
      expect(result.user.role).toBe('admin');
      expect(cookies[0]).toMatch(/^openaos_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/);
      const token = /openaos_session=([^;]+)/.exec(cookies[0]!)![1]!;
      const again = await authenticateRequest(cloud.deps, {
        cookie: `other=1; openaos_session=${token}`,
        method: 'GET',
        path: '/',
      });
      expect(again.actor?.email).toBe('admin');
    });

    it('refuses a wrong password and anonymous calls', async () => {
      await expectCode(cloud.caller(null).auth.signIn({ email: 'admin', password: 'wrong' }), 'UNAUTHORIZED');
      await expectCode(cloud.caller(null).services.list(), 'UNAUTHORIZED');
      expect(await cloud.caller(null).auth.me()).toBeNull();
    });

    it("lists all users to admins and only their organisation's users to others", async () => {
      const emails = async (actor: Actor) => (await cloud.caller(actor).users.list()).map((user) => user.email);
      const all = await emails(cloud.admin);
      expect(all).toEqual([...all].sort());
      expect(all).toEqual(expect.arrayContaining(['admin', 'a@sp.example', 'b@sp.example', 'o@oem.example']));
      expect(await emails(spA)).toEqual(['a@sp.example']);
      expect(await emails(spB)).toEqual(['b@sp.example']);
      expect(await emails(oem)).toEqual(
        (await cloud.caller(cloud.admin).users.list())
          .filter((user) => user.organisationId === oem.organisationId)
          .map((user) => user.email),
      );
      expect(await emails(oem)).toContain('o@oem.example');
      expect(await emails(oem)).not.toContain('a@sp.example');
    });

    it('lets only admins manage organisations and users', async () => {
      await expectCode(cloud.caller(spA).organisations.create({ name: 'X', kind: 'sp' }), 'FORBIDDEN');
      await expectCode(
        cloud.caller(oem).users.create({ email: 'x@y', name: 'x', role: 'oem', organisationId: oem.organisationId }),
        'FORBIDDEN',
      );
      // An SP user cannot be put in an OEM organisation.
      await expectCode(
        cloud
          .caller(cloud.admin)
          .users.create({ email: 'x@y', name: 'x', role: 'sp', organisationId: oem.organisationId }),
        'BAD_REQUEST',
      );
      const created = await cloud
        .caller(cloud.admin)
        .users.create({ email: 'new@oem.example', name: 'New', role: 'oem', organisationId: oem.organisationId });
      expect(created.password).toMatch(/^[A-Za-z0-9]{20}$/);
      await expectCode(
        cloud.caller(cloud.admin).organisations.remove({ id: oem.organisationId! }),
        'PRECONDITION_FAILED',
      );
    });

    it('rejects malformed input with zod messages', async () => {
      const error = await expectCode(cloud.caller(spA).services.create({ title: '   ' }), 'BAD_REQUEST');
      expect(error.message).toMatch(/is required/);
      expect((error.cause as { issues?: { path: string[] }[] }).issues?.[0]?.path).toEqual(['title']);
    });
  });

  describe('services and roles', () => {
    let serviceId: string;
    it('gives an SP user a Service ID and hides it from other SPs', async () => {
      const service = await cloud.caller(spA).services.create({
        title: 'hello',
        description: 'Hello world',
        defaultQuotas: { memoryLimit: 64 * 1024 * 1024 },
      });
      serviceId = service.id;
      expect(serviceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect((await cloud.caller(spA).services.list()).map((s) => s.id)).toContain(serviceId);
      expect((await cloud.caller(spB).services.list()).map((s) => s.id)).not.toContain(serviceId);
      await expectCode(cloud.caller(spB).services.get({ id: serviceId }), 'NOT_FOUND');
      await expectCode(cloud.caller(spB).services.update({ id: serviceId, title: 'mine now' }), 'NOT_FOUND');
      await expectCode(cloud.caller(spB).services.remove({ id: serviceId }), 'NOT_FOUND');
      await expectCode(cloud.caller(spB).versions.list({ serviceId }), 'NOT_FOUND');
      // OEMs see every service (to bind and approve it) but cannot change it or create one.
      expect((await cloud.caller(oem).services.list()).map((s) => s.id)).toContain(serviceId);
      await expectCode(cloud.caller(oem).services.update({ id: serviceId, title: 'x' }), 'FORBIDDEN');
      await expectCode(cloud.caller(oem).services.create({ title: 'x' }), 'FORBIDDEN');
      const updated = await cloud.caller(spA).services.update({ id: serviceId, description: 'changed' });
      expect(updated.description).toBe('changed');
    });

    it('lets only OEM users manage units, unit sets and subjects', async () => {
      await expectCode(cloud.caller(spA).units.list(), 'FORBIDDEN');
      await expectCode(cloud.caller(spA).units.create({ systemId: 'u1', model: 'm' }), 'FORBIDDEN');
      await expectCode(cloud.caller(spA).unitSets.create({ name: 'set' }), 'FORBIDDEN');
      await expectCode(cloud.caller(spA).subjects.create({ name: 'subject' }), 'FORBIDDEN');
      await expectCode(cloud.caller(cloud.admin).units.create({ systemId: 'u1', model: 'm' }), 'FORBIDDEN');
    });

    it('binds services, units and unit sets to subjects and blocks deletes of what is bound', async () => {
      const unit = await cloud.caller(oem).units.create({ systemId: 'unit-0001', model: 'rpi4' });
      expect(unit).toMatchObject({ state: 'new', connection: 'offline' });
      await expectCode(cloud.caller(oem).units.create({ systemId: 'unit-0001', model: 'x' }), 'CONFLICT');
      const set = await cloud.caller(oem).unitSets.create({ name: 'verification', isVerificationSet: true });
      await cloud.caller(oem).unitSets.addUnits({ id: set.id, unitIds: [unit.id] });
      expect((await cloud.caller(oem).unitSets.get({ id: set.id })).units.map((u) => u.systemId)).toEqual([
        'unit-0001',
      ]);
      const subject = await cloud.caller(oem).subjects.create({ name: 'fleet' });
      const bound = await cloud
        .caller(oem)
        .subjects.bind({ id: subject.id, serviceIds: [serviceId], unitIds: [unit.id], unitSetIds: [set.id] });
      expect(bound.services.map((s) => s.id)).toEqual([serviceId]);
      expect(bound.unitSets[0]?.isVerificationSet).toBe(true);

      await expectCode(cloud.caller(spA).services.remove({ id: serviceId }), 'PRECONDITION_FAILED');
      await expectCode(cloud.caller(oem).units.remove({ id: unit.id }), 'PRECONDITION_FAILED');
      await expectCode(cloud.caller(oem).unitSets.remove({ id: set.id }), 'PRECONDITION_FAILED');
      expect((await cloud.caller(spA).services.get({ id: serviceId })).boundSubjectCount).toBe(1);

      // Another OEM cannot see or bind this OEM's units.
      const otherOem = await cloud.addUser('oem', 'Other maker', 'x@other.example');
      await expectCode(cloud.caller(otherOem).units.get({ id: unit.id }), 'NOT_FOUND');
      const otherSubject = await cloud.caller(otherOem).subjects.create({ name: 'theirs' });
      await expectCode(cloud.caller(otherOem).subjects.bind({ id: otherSubject.id, unitIds: [unit.id] }), 'NOT_FOUND');
      await expectCode(cloud.caller(otherOem).subjects.remove({ id: subject.id }), 'NOT_FOUND');

      await cloud.caller(oem).subjects.unbind({ id: subject.id, unitIds: [unit.id], unitSetIds: [set.id] });
      await cloud.caller(oem).unitSets.remove({ id: set.id });
      await cloud.caller(oem).units.remove({ id: unit.id });
      await cloud.caller(oem).subjects.remove({ id: subject.id });
      await cloud.caller(spA).services.remove({ id: serviceId });
      await expectCode(cloud.caller(spA).services.get({ id: serviceId }), 'NOT_FOUND');
    });
  });

  describe('CLI authentication (AosCert)', () => {
    it('authenticates a fresh token once and refuses replays, other paths, revoked and foreign credentials', async () => {
      const issued = await cloud.caller(spA).credentials.issue();
      expect(issued.fileName).toBe('aos-user-sp.p12');
      const credential = readPkcs12(Buffer.from(issued.pkcs12Base64, 'base64'));
      const request = { method: 'GET', path: '/api/trpc/services.list' };
      const token = createCertificateToken(credential, request);
      const context = await createContext({
        deps: cloud.deps,
        request: { ...request, authorization: `AosCert ${token}` },
      });
      expect(context.actor).toMatchObject({ email: 'a@sp.example', role: 'sp', via: 'certificate' });
      expect(await createCaller(context).services.list()).toBeInstanceOf(Array);

      const replay = await createContext({
        deps: cloud.deps,
        request: { ...request, authorization: `AosCert ${token}` },
      });
      expect(replay.actor).toBeNull();
      expect(replay.authenticationError?.message).toMatch(/already used/);
      await expectCode(createCaller(replay).services.list(), 'UNAUTHORIZED');

      const otherPath = createCertificateToken(credential, { method: 'POST', path: CLOUD_HTTP_PATHS.upload });
      await expect(
        authenticateRequest(cloud.deps, { ...request, authorization: `AosCert ${otherPath}` }),
      ).rejects.toMatchObject({ code: 'unauthenticated' });

      const stale = createCertificateToken(credential, request, new Date(Date.now() - 10 * 60 * 1000));
      await expect(authenticateRequest(cloud.deps, { ...request, authorization: `AosCert ${stale}` })).rejects.toThrow(
        /expired/,
      );

      const foreignCa = createCertificateAuthority({ commonName: 'Evil CA' });
      const foreign = readPkcs12(
        issueUserCredential(foreignCa, { commonName: 'a@sp.example', organization: 'Provider A', role: 'sp' }).pkcs12,
      );
      await expect(
        authenticateRequest(cloud.deps, {
          ...request,
          authorization: `AosCert ${createCertificateToken(foreign, request)}`,
        }),
      ).rejects.toMatchObject({
        code: 'unauthenticated',
      });

      await cloud.caller(spA).credentials.revoke({ fingerprint256: issued.fingerprint256 });
      await expect(
        authenticateRequest(cloud.deps, {
          ...request,
          authorization: `AosCert ${createCertificateToken(credential, request)}`,
        }),
      ).rejects.toThrow(/revoked/);
    });

    it('lets a user issue credentials only for themselves unless admin', async () => {
      await expectCode(cloud.caller(spA).credentials.issue({ userId: oem.userId }), 'FORBIDDEN');
      const forOem = await cloud.caller(cloud.admin).credentials.issue({ userId: oem.userId });
      expect(forOem.fileName).toBe('aos-user-oem.p12');
    });
  });
});
