import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { createCertificateRequest, readPemCredential, type Credential } from '@openaos/pki';
import { CLOUD_HTTP_PATHS, createCertificateToken, formatCertificateAuthorization } from '@openaos/protocol';
import type { Actor } from '../actor.js';
import { issueUnitCertificate, markUnitProvisioned } from '../domain/provisioning/issue-unit-certificate.js';
import { revokeUnit } from '../domain/provisioning/revoke-unit.js';
import { UnitAccessError } from '../domain/provisioning/unit-access-error.js';
import { createCloudFixture, type CloudFixture } from '../testing/cloud-fixture.js';
import { authenticateUnit, authenticateUnits, verifyUnitProof, type AuthenticatedUnit } from './authenticate-unit.js';

const channel = { method: 'GET', path: CLOUD_HTTP_PATHS.unitChannel };

/** The `AosCert` header a unit sends for the channel: a fresh proof (new nonce) each call. */
function proofHeader(credential: Credential): string {
  return formatCertificateAuthorization(createCertificateToken(credential, channel));
}

const codeOf = (result: AuthenticatedUnit | UnitAccessError) =>
  result instanceof UnitAccessError ? result.code : result.systemId;

describe.each(['pglite', 'postgres'] as const)('authenticating units in batches, on %s', (driver) => {
  let cloud: CloudFixture;
  let oem: Actor;
  /** Units provisioned through the domain functions the provisioning socket uses. */
  const credentials = new Map<string, Credential>();
  const unitIds = new Map<string, string>();
  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    oem = await cloud.addUser('oem', 'Maker', 'o@maker.example');
    const request = createCertificateRequest({ commonName: 'ignored' });
    for (const systemId of ['unit-1', 'unit-2', 'unit-3', 'unit-revoked']) {
      const unit = await cloud.caller(oem).units.create({ systemId, model: 'test-model' });
      const issued = await issueUnitCertificate(cloud.deps, { id: unit.id, systemId }, request.csrPem);
      await markUnitProvisioned(cloud.deps, unit.id);
      credentials.set(systemId, readPemCredential(request.privateKeyPem, issued.chainPem));
      unitIds.set(systemId, unit.id);
    }
    await revokeUnit(cloud.deps, oem, { unit: 'unit-revoked' });
  });
  afterAll(async () => {
    await cloud?.close();
  });

  const proofOf = (systemId: string, header = proofHeader(credentials.get(systemId)!)) =>
    verifyUnitProof(cloud.deps, header, channel);

  it('refuses a revoked unit in a batch and accepts the others', async () => {
    const results = await authenticateUnits(cloud.deps, [
      proofOf('unit-1'),
      proofOf('unit-revoked'),
      proofOf('unit-2'),
    ]);
    expect(results.map(codeOf)).toEqual(['unit-1', 'unit-revoked', 'unit-2']);
    expect(results[1]).toMatchObject({ status: 403 });
  });

  it('refuses a nonce used twice in one batch once, and again in a later batch', async () => {
    const header = proofHeader(credentials.get('unit-3')!);
    const first = await authenticateUnits(cloud.deps, [
      proofOf('unit-3', header),
      proofOf('unit-1'),
      proofOf('unit-3', header),
    ]);
    expect(first.map(codeOf)).toEqual(['unit-3', 'unit-1', 'replayed-proof']);
    const later = await authenticateUnits(cloud.deps, [proofOf('unit-3', header), proofOf('unit-2')]);
    expect(later.map(codeOf)).toEqual(['replayed-proof', 'unit-2']);
  });

  it('refuses a certificate that is not the unit’s current one without consuming its nonce', async () => {
    const stale = credentials.get('unit-2')!;
    const request = createCertificateRequest({ commonName: 'ignored' });
    const reissued = await issueUnitCertificate(
      cloud.deps,
      { id: unitIds.get('unit-2')!, systemId: 'unit-2' },
      request.csrPem,
    );
    credentials.set('unit-2', readPemCredential(request.privateKeyPem, reissued.chainPem));
    const header = proofHeader(stale);
    const nonces = async () => (await cloud.deps.db.select().from(schema.authNonces)).length;
    const before = await nonces();
    const results = await authenticateUnits(cloud.deps, [proofOf('unit-2', header), proofOf('unit-2')]);
    expect(results.map(codeOf)).toEqual(['unknown-unit', 'unit-2']);
    expect(await nonces()).toBe(before + 1);
  });

  it('keeps the checks that need no database: the chain, the path and the clock window', async () => {
    const credential = credentials.get('unit-1')!;
    expect(() => verifyUnitProof(cloud.deps, undefined, channel)).toThrow(UnitAccessError);
    const otherPath = formatCertificateAuthorization(
      createCertificateToken(credential, { method: 'GET', path: CLOUD_HTTP_PATHS.trpc }),
    );
    expect(() => verifyUnitProof(cloud.deps, otherPath, channel)).toThrow(/made for GET/);
    const old = formatCertificateAuthorization(
      createCertificateToken(credential, channel, new Date(Date.now() - 3600_000)),
    );
    expect(() => verifyUnitProof(cloud.deps, old, channel)).toThrow(/expired or is not valid yet/);
    await expect(authenticateUnit(cloud.deps, proofHeader(credential), channel)).resolves.toMatchObject({
      systemId: 'unit-1',
    });
  });
});
