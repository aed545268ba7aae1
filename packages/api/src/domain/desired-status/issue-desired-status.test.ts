import { stat } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { readPkcs12 } from '@openaos/pki';
import { verifyDesiredStatus } from '@openaos/protocol/v7';
import type { Actor } from '../../actor.js';
import { createCloudFixture, type CloudFixture } from '../../testing/cloud-fixture.js';
import { makeServicePackage } from '../../testing/service-packages.js';
import { uploadServiceVersion } from '../upload.js';
import { computeDesiredStatus } from './compute-desired-status.js';
import { issueDesiredStatus, issueDesiredStatuses } from './issue-desired-status.js';
import { loadDesiredStatusInputs, loadDesiredStatusInputsOf } from './load-desired-status-inputs.js';

describe.each(['pglite', 'postgres'] as const)('issuing desired statuses on %s', (driver) => {
  let cloud: CloudFixture;
  let oem: Actor;
  let unit: { id: string; systemId: string };
  let versionId: string;
  let serviceId: string;
  let sp: Actor;
  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    oem = await cloud.addUser('oem', 'Maker', 'o@maker.example');
    sp = await cloud.addUser('sp', 'Provider', 'p@provider.example');
    const credential = readPkcs12(Buffer.from((await cloud.caller(sp).credentials.issue()).pkcs12Base64, 'base64'));
    serviceId = (await cloud.caller(sp).services.create({ title: 'hello' })).id;
    const packagePath = await makeServicePackage(credential, serviceId, '1.0.0');
    versionId = (
      await uploadServiceVersion(cloud.deps, sp, {
        serviceId,
        version: '1.0.0',
        packagePath,
        packageSize: (await stat(packagePath)).size,
      })
    ).id;
    await cloud.caller(oem).versions.approve({ id: versionId });
    const created = await cloud.caller(oem).units.create({ systemId: 'unit-1', model: 'm' });
    unit = { id: created.id, systemId: created.systemId };
    const subject = await cloud.caller(oem).subjects.create({ name: 'cabin' });
    await cloud.caller(oem).subjects.bind({ id: subject.id, serviceIds: [serviceId], unitIds: [unit.id] });
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('writes the image index of a version built without one, then issues once; unchanged is not re-issued', async () => {
    const [before] = await cloud.deps.db
      .select()
      .from(schema.serviceVersions)
      .where(eq(schema.serviceVersions.id, versionId));
    const builtIndex = before?.indexDigest;
    expect(builtIndex).toMatch(/^sha256:/);
    // As a version uploaded before the unit channel existed: no index recorded, none stored.
    await cloud.deps.db
      .update(schema.serviceVersions)
      .set({ indexDigest: null })
      .where(eq(schema.serviceVersions.id, versionId));
    await cloud.deps.blobs.remove(builtIndex!);
    const first = await issueDesiredStatus(cloud.deps, unit);
    expect(first).toMatchObject({ generation: 1, isNew: true });
    const [after] = await cloud.deps.db
      .select()
      .from(schema.serviceVersions)
      .where(eq(schema.serviceVersions.id, versionId));
    expect(after?.indexDigest).toBe(builtIndex);
    expect(after?.blobDigests).toContain(builtIndex);
    expect(await cloud.deps.blobs.has(builtIndex!)).toBe(true);
    const again = await issueDesiredStatus(cloud.deps, unit);
    expect(again).toMatchObject({ generation: 1, isNew: false, digest: first.digest });
    const verified = verifyDesiredStatus(first.document, {
      systemId: 'unit-1',
      trustedCa: cloud.deps.authority.ca.certificatePem,
    });
    expect(verified).toMatchObject({ ok: true, generation: 1, digest: first.digest });
    expect(
      verifyDesiredStatus(first.document, { systemId: 'unit-2', trustedCa: cloud.deps.authority.ca.certificatePem }),
    ).toMatchObject({ ok: false, code: 'wrong-unit' });
  });

  it('gives concurrent issuers of a changed status one generation each, never the same one twice', async () => {
    await cloud.deps.db
      .update(schema.serviceVersions)
      .set({ configSummary: { instances: { minInstances: 2 } } })
      .where(eq(schema.serviceVersions.id, versionId));
    const results = await Promise.all([1, 2, 3].map(() => issueDesiredStatus(cloud.deps, unit)));
    expect(new Set(results.map((result) => result.digest)).size).toBe(1);
    expect(results.filter((result) => result.isNew)).toHaveLength(1);
    expect(results.map((result) => result.generation)).toEqual([2, 2, 2]);
    const [row] = await cloud.deps.db
      .select()
      .from(schema.unitDesiredStatuses)
      .where(eq(schema.unitDesiredStatuses.unitId, unit.id));
    expect(row?.generation).toBe(2);
    expect((row?.document.instances as { numInstances: number }[])[0]?.numInstances).toBe(2);
  });

  it('issues many units in one batch exactly as one by one: bound directly, through a (verification) set, or not at all', async () => {
    const credential = readPkcs12(Buffer.from((await cloud.caller(sp).credentials.issue()).pkcs12Base64, 'base64'));
    const packagePath = await makeServicePackage(credential, serviceId, '2.0.0');
    await uploadServiceVersion(cloud.deps, sp, {
      serviceId,
      version: '2.0.0',
      packagePath,
      packageSize: (await stat(packagePath)).size,
    }); // ready, not approved: only the verification set's unit gets it
    const make = async (systemId: string) => {
      const created = await cloud.caller(oem).units.create({ systemId, model: 'm' });
      return { id: created.id, systemId: created.systemId };
    };
    const [direct, inSet, inVerification, unbound] = await Promise.all(
      ['batch-direct', 'batch-set', 'batch-verification', 'batch-unbound'].map(make),
    );
    const plain = await cloud.caller(oem).unitSets.create({ name: 'plain' });
    const verification = await cloud.caller(oem).unitSets.create({ name: 'verify', isVerificationSet: true });
    await cloud.caller(oem).unitSets.addUnits({ id: plain.id, unitIds: [inSet!.id, inVerification!.id] });
    await cloud.caller(oem).unitSets.addUnits({ id: verification.id, unitIds: [inVerification!.id] });
    const subject = await cloud.caller(oem).subjects.create({ name: 'batch' });
    await cloud.caller(oem).subjects.bind({
      id: subject.id,
      serviceIds: [serviceId],
      unitIds: [direct!.id],
      unitSetIds: [plain.id],
    });
    const units = [direct!, inSet!, inVerification!, unbound!, unit];
    const together = await loadDesiredStatusInputsOf(
      cloud.deps.db,
      units.map((one) => one.id),
    );
    for (const one of units) {
      const alone = computeDesiredStatus(await loadDesiredStatusInputs(cloud.deps.db, one.id));
      expect(computeDesiredStatus(together.get(one.id)!.inputs)).toEqual(alone);
    }
    const versionsOf = (document: Record<string, unknown>) =>
      (document.items as { version: string }[]).map((item) => item.version);
    const issued = await issueDesiredStatuses(cloud.deps, units);
    const result = (one: { id: string }) => {
      const entry = issued.get(one.id);
      if (!entry || entry instanceof Error) throw new Error(`no status issued for ${one.id}: ${String(entry)}`);
      return entry;
    };
    expect(versionsOf(result(direct!).document)).toEqual(['1.0.0']);
    expect(versionsOf(result(inSet!).document)).toEqual(['1.0.0']);
    expect(versionsOf(result(inVerification!).document)).toEqual(['2.0.0']);
    expect(versionsOf(result(unbound!).document)).toEqual([]);
    expect(result(direct!)).toMatchObject({ generation: 1, isNew: true });
    expect(result(unit)).toMatchObject({ generation: 2, isNew: false }); // unchanged since the test before
    for (const one of units.slice(0, 4))
      expect(
        verifyDesiredStatus(result(one).document, {
          systemId: one.systemId,
          trustedCa: cloud.deps.authority.ca.certificatePem,
        }),
      ).toMatchObject({ ok: true, generation: 1 });
    const again = await issueDesiredStatuses(cloud.deps, units);
    expect([...again.values()].map((entry) => !(entry instanceof Error) && entry.isNew)).toEqual(
      units.map(() => false),
    );
    const history = await cloud.deps.db
      .select()
      .from(schema.unitStatusEvents)
      .where(eq(schema.unitStatusEvents.unitId, direct!.id));
    expect(history.filter((row) => row.kind === 'desired').map((row) => row.version)).toEqual(['1']);
  });
});
