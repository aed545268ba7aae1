import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { readPkcs12 } from '@openaos/pki';
import { verifyDesiredStatus, type AppliedDesiredStatus } from '@openaos/protocol/v7';
import type { Actor } from '../actor.js';
import { uploadServiceVersion } from '../domain/upload.js';
import { createCloudFixture, type CloudFixture } from '../testing/cloud-fixture.js';
import { registerAndProvision, startGatewayServer, type GatewayServer } from '../testing/gateway-server.js';
import { makeServicePackage } from '../testing/service-packages.js';
import {
  connectTestUnit,
  fetchUnitBlob,
  unitAuthorization,
  type TestUnit,
  type TestUnitIdentity,
} from '../testing/test-unit.js';
import { waitFor } from '../testing/wait-for.js';

interface DesiredItem {
  item: { id: string };
  version: string;
  indexDigest: string;
  isRollback?: boolean;
}
const itemsOf = (status: Record<string, unknown>) => status.items as DesiredItem[];

describe.each(['pglite', 'postgres'] as const)('desired status and blobs on %s', (driver) => {
  let cloud: CloudFixture;
  let oem: Actor;
  let sp: Actor;
  let gateway: GatewayServer;
  let serviceId: string;
  let subjectId: string;
  let unitA: { unitId: string; identity: TestUnitIdentity };
  let unitC: { unitId: string; identity: TestUnitIdentity };
  let unit: TestUnit;
  let lastApplied: AppliedDesiredStatus | undefined;

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

  /** The next desired status the unit gets, checked as the agent checks it (signature, unit, generation). */
  const nextDesired = async (count: number) => {
    const status = await waitFor(() => unit.desiredStatuses[count - 1], `desired status #${count}`);
    const verified = verifyDesiredStatus(status, {
      systemId: 'unit-a',
      trustedCa: cloud.deps.authority.ca.certificatePem,
      ...(lastApplied && { lastApplied }),
    });
    if (!verified.ok) throw new Error(verified.message);
    expect(verified.isAlreadyApplied).toBe(false);
    lastApplied = { generation: verified.generation, digest: verified.digest };
    return status;
  };

  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    oem = await cloud.addUser('oem', 'Maker', 'o@maker.example');
    sp = await cloud.addUser('sp', 'Provider', 'p@provider.example');
    gateway = await startGatewayServer(cloud.deps, { limits: { pingIntervalMs: 0 }, initialPushDelayMs: 60_000 });
    serviceId = (await cloud.caller(sp).services.create({ title: 'hello' })).id;
    subjectId = (await cloud.caller(oem).subjects.create({ name: 'cabin' })).id;
    unitA = await registerAndProvision(cloud, oem, gateway.url, 'unit-a');
    unitC = await registerAndProvision(cloud, oem, gateway.url, 'unit-c');
  });
  afterAll(async () => {
    await unit?.close().catch(() => undefined);
    await gateway?.close();
    await cloud?.close();
  });

  it('pushes a signed desired status after the first full status, generation 1', async () => {
    unit = await connectTestUnit({ cloudUrl: gateway.url, identity: unitA.identity });
    const first = await nextDesired(1);
    expect(lastApplied?.generation).toBe(1);
    expect(itemsOf(first)).toEqual([]);
  });

  it('pushes the approved version of a bound service; a change that changes nothing sends nothing', async () => {
    const versionId = await upload('1.0.0');
    // Bound while only ready: the unit (not in a verification set) gets nothing new.
    await cloud.caller(oem).subjects.bind({ id: subjectId, serviceIds: [serviceId], unitIds: [unitA.unitId] });
    await cloud.deps.unitEvents.announce({ kind: 'desired-changed', unitIds: [unitA.unitId] });
    await cloud.caller(oem).versions.approve({ id: versionId });
    const second = await nextDesired(2);
    expect(lastApplied?.generation).toBe(2);
    expect(itemsOf(second)).toEqual([
      expect.objectContaining({ item: expect.objectContaining({ id: serviceId }), version: '1.0.0' }),
    ]);
    expect(second.instances).toEqual([
      expect.objectContaining({ item: { id: serviceId }, subject: { id: subjectId }, numInstances: 1 }),
    ]);
    const [row] = await cloud.deps.db
      .select()
      .from(schema.serviceVersions)
      .where(eq(schema.serviceVersions.id, versionId));
    expect(itemsOf(second)[0]?.indexDigest).toBe(row?.indexDigest);
    expect(unit.desiredStatuses).toHaveLength(2);
  });

  it('gives blob URLs only for the blobs of its desired items, and serves them with Range', async () => {
    const item = itemsOf(unit.desiredStatuses[1]!)[0]!;
    const unknown = `sha256:${'e'.repeat(64)}`;
    const answer = await unit.channel.request({ messageType: 'requestBlobUrls', digests: [item.indexDigest, unknown] });
    expect(answer.items.map((info) => info.digest)).toEqual([item.indexDigest]);
    expect(answer.items[0]?.urls[0]).toBe(`${gateway.url}/api/v7/blobs/sha256/${item.indexDigest.slice(7)}`);
    const index = (await (
      await fetch(answer.items[0]!.urls[0]!, {
        headers: {
          Authorization: unitAuthorization(
            unitA.identity.credential,
            'GET',
            new URL(answer.items[0]!.urls[0]!).pathname,
          ),
        },
      })
    ).json()) as { manifests: { digest: string; platform: { os: string; architecture: string } }[] };
    expect(index.manifests[0]?.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    const manifestResponse = await fetchUnitBlob(gateway.url, unitA.identity, index.manifests[0]!.digest);
    const manifest = (await manifestResponse.json()) as {
      config: { digest: string };
      aosService: { digest: string };
      layers: { digest: string }[];
    };
    const layerDigest = manifest.layers[0]!.digest;
    const infos = await unit.channel.request({
      messageType: 'requestBlobUrls',
      digests: [manifest.config.digest, manifest.aosService.digest, layerDigest],
    });
    expect(infos.items).toHaveLength(3);
    const layerInfo = infos.items.find((info) => info.digest === layerDigest)!;
    const full = Buffer.from(await (await fetchUnitBlob(gateway.url, unitA.identity, layerDigest)).arrayBuffer());
    expect(`sha256:${createHash('sha256').update(full).digest('hex')}`).toBe(layerDigest);
    expect(createHash('sha3-256').update(full).digest('base64')).toBe(layerInfo.sha256);
    expect(full.length).toBe(layerInfo.size);
    const resumed = await fetchUnitBlob(gateway.url, unitA.identity, layerDigest, { range: 'bytes=10-' });
    expect(resumed.status).toBe(206);
    expect(resumed.headers.get('content-range')).toBe(`bytes 10-${full.length - 1}/${full.length}`);
    expect(Buffer.from(await resumed.arrayBuffer()).equals(full.subarray(10))).toBe(true);
    const beyond = await fetchUnitBlob(gateway.url, unitA.identity, layerDigest, { range: `bytes=${full.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${full.length}`);
  });

  it('refuses the blobs of another unit’s service: no URL, and 404 on download', async () => {
    const item = itemsOf(unit.desiredStatuses[1]!)[0]!;
    const other = await connectTestUnit({ cloudUrl: gateway.url, identity: unitC.identity });
    const answer = await other.channel.request({ messageType: 'requestBlobUrls', digests: [item.indexDigest] });
    expect(answer.items).toEqual([]);
    const response = await fetchUnitBlob(gateway.url, unitC.identity, item.indexDigest);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { code: string }).code).toBe('not-found');
    await other.close();
    const unauthenticated = await fetch(`${gateway.url}/api/v7/blobs/sha256/${item.indexDigest.slice(7)}`);
    expect(unauthenticated.status).toBe(401);
  });

  it('gives a unit in a verification set the ready version, and rolls back when it leaves the set', async () => {
    await upload('1.1.0');
    const set = await cloud.caller(oem).unitSets.create({ name: 'testers', isVerificationSet: true });
    await cloud.caller(oem).unitSets.addUnits({ id: set.id, unitIds: [unitA.unitId] });
    const third = await nextDesired(3);
    expect(itemsOf(third).map((item) => [item.version, item.isRollback ?? false])).toEqual([['1.1.0', false]]);
    await cloud.caller(oem).unitSets.removeUnits({ id: set.id, unitIds: [unitA.unitId] });
    const fourth = await nextDesired(4);
    expect(itemsOf(fourth).map((item) => [item.version, item.isRollback ?? false])).toEqual([['1.0.0', true]]);
  });

  it('records full and delta unit status with history', async () => {
    await unit.sendStatus({
      isDeltaInfo: false,
      items: [{ item: { id: serviceId }, version: '1.0.0', state: 'installed' }],
      instances: [
        {
          item: { id: serviceId },
          subject: { id: subjectId },
          version: '1.0.0',
          instances: [{ node: { codename: 'main' }, runtime: { codename: 'runc' }, instance: 0, state: 'active' }],
        },
      ],
    });
    await unit.sendStatus({
      isDeltaInfo: true,
      instances: [
        {
          item: { id: serviceId },
          subject: { id: subjectId },
          version: '1.0.0',
          instances: [
            {
              node: { codename: 'main' },
              runtime: { codename: 'runc' },
              instance: 0,
              state: 'failed',
              errorInfo: { message: 'exit code 3' },
            },
          ],
        },
      ],
    });
    const instances = await waitFor(async () => {
      const rows = await cloud.deps.db
        .select()
        .from(schema.unitInstanceStatuses)
        .where(eq(schema.unitInstanceStatuses.unitId, unitA.unitId));
      return rows[0]?.state === 'failed' ? rows : undefined;
    }, 'the delta recorded');
    expect(instances).toEqual([
      expect.objectContaining({
        itemId: serviceId,
        subjectId,
        instance: 0,
        version: '1.0.0',
        errorInfo: { message: 'exit code 3' },
      }),
    ]);
    const items = await cloud.deps.db
      .select()
      .from(schema.unitItemStatuses)
      .where(eq(schema.unitItemStatuses.unitId, unitA.unitId));
    expect(items).toEqual([expect.objectContaining({ itemId: serviceId, version: '1.0.0', state: 'installed' })]);
    const history = await cloud.deps.db
      .select()
      .from(schema.unitStatusEvents)
      .where(eq(schema.unitStatusEvents.unitId, unitA.unitId));
    expect(history.filter((event) => event.kind === 'instance').map((event) => event.state)).toEqual([
      'active',
      'failed',
    ]);
    expect(history.filter((event) => event.kind === 'desired').map((event) => event.version)).toEqual([
      '1',
      '2',
      '3',
      '4',
    ]);
    // A full status replaces the rows: the instance it no longer lists is gone.
    await unit.sendStatus({
      isDeltaInfo: false,
      items: [{ item: { id: serviceId }, version: '1.0.0', state: 'installed' }],
    });
    await waitFor(async () => {
      const rows = await cloud.deps.db
        .select()
        .from(schema.unitInstanceStatuses)
        .where(eq(schema.unitInstanceStatuses.unitId, unitA.unitId));
      return rows.length === 0;
    }, 'the full status replacing the instances');
  });

  it('sends the new title of a renamed service (it names the item)', async () => {
    await cloud.caller(sp).services.update({ id: serviceId, description: 'not in the desired status' });
    await cloud.caller(sp).services.update({ id: serviceId, title: 'hello-renamed' });
    const fifth = await nextDesired(5);
    expect(itemsOf(fifth).map((item) => (item.item as { codename?: string }).codename)).toEqual(['hello-renamed']);
  });

  it('removes the service when the subject unbinds it', async () => {
    await cloud.caller(oem).subjects.unbind({ id: subjectId, serviceIds: [serviceId] });
    const sixth = await nextDesired(6);
    expect(itemsOf(sixth)).toEqual([]);
    expect(unit.desiredStatuses).toHaveLength(6);
  });
});
