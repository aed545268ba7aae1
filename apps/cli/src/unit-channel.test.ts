import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createContextForActor, type Actor } from '@openaos/api';
import { schema } from '@openaos/db';
import type { ProvisioningToken, RevokedUnit, StatusResult } from './commands/unit-channel.js';
import { createSandbox, runAos } from './testing/capture-io.js';
import { startTestCloud, type TestCloud } from './testing/start-test-cloud.js';

describe('aos unit provision-token / revoke and aos status against a real cloud core over HTTP', () => {
  let cloud: TestCloud;
  let sandbox: Awaited<ReturnType<typeof createSandbox>>;
  let oem: string[];
  let sp: string[];
  let spActor: Actor;
  let unitId: string;
  let serviceId: string;

  beforeAll(async () => {
    cloud = await startTestCloud();
    sandbox = await createSandbox();
    const spUser = await cloud.addUser('sp', 'Acme Services', 'sp@acme.test');
    const oemUser = await cloud.addUser('oem', 'Acme Cars', 'oem@acme.test');
    spActor = spUser.actor;
    await mkdir(sandbox.root, { recursive: true });
    await writeFile(join(sandbox.root, 'oem.p12'), oemUser.pkcs12);
    await writeFile(join(sandbox.root, 'sp.p12'), spUser.pkcs12);
    oem = ['--url', cloud.url, '--pkcs12', join(sandbox.root, 'oem.p12')];
    sp = ['--url', cloud.url, '--pkcs12', join(sandbox.root, 'sp.p12')];
    const created = await runAos(
      ['unit', 'create', '--system-id', 'car-0001', '--model', 'rpi4', '--json', ...oem],
      sandbox.env,
    );
    expect(created.code).toBe(0);
    unitId = (JSON.parse(created.stdout) as { id: string }).id;
    serviceId = (
      await createCaller(createContextForActor(cloud.core.deps, spActor)).services.create({ title: 'Hello' })
    ).id;
  });
  afterAll(async () => {
    await cloud?.close();
    await sandbox?.cleanup();
  });

  it('provision-token prints the token, expiry, cloud URL and the exact device command', async () => {
    const before = Date.now();
    const json = await runAos(['unit', 'provision-token', 'car-0001', '--ttl', '30m', '--json', ...oem], sandbox.env);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const token = JSON.parse(json.stdout) as ProvisioningToken;
    expect(token.token).toMatch(/^aosprov_[A-Za-z0-9_-]{43}$/);
    expect(token.cloudUrl).toBe(cloud.url);
    expect(token.command).toBe(`aos-agent provision --cloud ${cloud.url} --token ${token.token} --system-id car-0001`);
    const lifetime = new Date(token.expiresAt).getTime() - before;
    expect(lifetime).toBeGreaterThan(29 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(30 * 60_000 + (Date.now() - before));

    const human = await runAos(['unit', 'provision-token', 'car-0001', ...oem], sandbox.env);
    expect(human.code).toBe(0);
    const command = /^ {2}(aos-agent provision .*)$/m.exec(human.stdout)?.[1];
    expect(command).toMatch(
      new RegExp(`^aos-agent provision --cloud ${cloud.url} --token aosprov_[A-Za-z0-9_-]{43} --system-id car-0001$`),
    );
    expect(human.stdout).toContain('Run on the device:');
    // The second token replaced the first: one unused token for the unit.
    const tokens = await cloud.core.deps.db
      .select()
      .from(schema.provisioningTokens)
      .where(eq(schema.provisioningTokens.unitId, unitId));
    expect(tokens).toHaveLength(1);
  });

  it('refuses a bad TTL, an SP credential and an unknown unit with clear messages', async () => {
    const garbled = await runAos(['unit', 'provision-token', 'car-0001', '--ttl', 'soon', ...oem], sandbox.env);
    expect(garbled.code).toBe(64);
    expect(garbled.stderr).toContain('--ttl "soon" is not a duration');
    const short = await runAos(['unit', 'provision-token', 'car-0001', '--ttl', '10s', ...oem], sandbox.env);
    expect(short.code).toBe(64);
    expect(short.stderr).toContain('--ttl 10s is out of range');
    // What the cloud refuses is named by field: a system ID longer than the cloud takes.
    const long = await runAos(['unit', 'provision-token', 'x'.repeat(129), ...oem], sandbox.env);
    expect(long.code).toBe(1);
    expect(long.stderr).toContain('unit: must be at most 128 characters (BAD_REQUEST, HTTP 400)');
    const bySp = await runAos(['unit', 'provision-token', 'car-0001', ...sp], sandbox.env);
    expect(bySp.code).toBe(1);
    expect(bySp.stderr).toContain('HTTP 403');
    const unknown = await runAos(['unit', 'provision-token', 'car-9999', ...oem], sandbox.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('HTTP 404');
  });

  it('status shows the fleet, one unit with instance failure reasons, and per-version counts', async () => {
    const { db } = cloud.core.deps;
    const reportedAt = new Date('2026-03-01T10:00:00Z');
    await db
      .update(schema.units)
      .set({
        state: 'provisioned',
        connection: 'online',
        connectedProcess: cloud.core.deps.process.id,
        lastSeenAt: reportedAt,
      })
      .where(eq(schema.units.id, unitId));
    await db.insert(schema.unitDesiredStatuses).values({
      unitId,
      generation: 4,
      digest: 'd',
      issuedAt: reportedAt,
      document: {
        items: [{ item: { id: serviceId, type: 'service', codename: 'Hello' }, version: '1.0.0' }],
        instances: [],
      },
    });
    await db
      .insert(schema.unitItemStatuses)
      .values({ unitId, itemId: serviceId, version: '1.0.0', state: 'installed', reportedAt });
    await db.insert(schema.unitInstanceStatuses).values({
      unitId,
      itemId: serviceId,
      subjectId: '00000000-0000-4000-8000-000000000001',
      instance: 0,
      version: '1.0.0',
      state: 'failed',
      errorInfo: { message: 'python3: not found', exitCode: 127 },
      reportedAt,
    });

    const unit = await runAos(['status', '--unit', 'car-0001', ...oem], sandbox.env);
    expect(unit.code).toBe(0);
    expect(unit.stdout).toMatch(/connection: +online/);
    expect(unit.stdout).toMatch(/desired: +generation 4 .*Hello 1\.0\.0/);
    expect(unit.stdout).toMatch(
      /Hello +00000000-0000-4000-8000-000000000001 +0 +1\.0\.0 +failed .*python3: not found \(exit 127\)/,
    );
    const unitJson = JSON.parse(
      (await runAos(['status', '--unit', unitId, '--json', ...oem], sandbox.env)).stdout,
    ) as StatusResult;
    expect(unitJson.kind === 'unit' && unitJson.unit.instances[0]?.errorInfo?.message).toBe('python3: not found');

    const service = await runAos(['status', '--service', serviceId, '--json', ...oem], sandbox.env);
    const counts = JSON.parse(service.stdout) as StatusResult;
    expect(counts.kind === 'service' && counts.service.versions).toEqual([
      { version: '1.0.0', state: null, desired: 1, installed: 1, active: 0, failed: 1, offline: 0 },
    ]);
    const serviceText = await runAos(['status', '--service', serviceId, ...sp], sandbox.env);
    expect(serviceText.stdout).toMatch(/1\.0\.0 +\(not in the cloud\) +1 +1 +0 +1 +0/);

    const fleet = await runAos(['status', ...oem], sandbox.env);
    expect(fleet.code).toBe(0);
    expect(fleet.stdout).toContain('Units: 1 (1 online, 0 offline; 1 provisioned, 0 revoked; 1 with failures)');
    expect(fleet.stdout).toMatch(new RegExp(`Hello +${serviceId} +1 +1 +0 +1 +0`));

    const both = await runAos(['status', '--unit', 'x', '--service', serviceId, ...oem], sandbox.env);
    expect(both.code).toBe(64);
  });

  it('revoke needs --yes, then revokes; status says so', async () => {
    const unconfirmed = await runAos(['unit', 'revoke', 'car-0001', ...oem], sandbox.env);
    expect(unconfirmed.code).toBe(64);
    expect(unconfirmed.stderr).toContain('--yes');
    expect((await runAos(['unit', 'revoke', 'car-0001', '--yes', ...sp], sandbox.env)).stderr).toContain('HTTP 403');
    const [row] = await cloud.core.deps.db.select().from(schema.units).where(eq(schema.units.id, unitId));
    expect(row?.revokedAt).toBeNull();

    const revoked = await runAos(['unit', 'revoke', 'car-0001', '--yes', '--json', ...oem], sandbox.env);
    expect(revoked.code).toBe(0);
    expect((JSON.parse(revoked.stdout) as RevokedUnit).revokedAt).toMatch(/^\d{4}-/);
    const status = await runAos(['status', '--unit', 'car-0001', ...oem], sandbox.env);
    expect(status.stdout).toMatch(/connection: +revoked since /);
    const list = await runAos(['unit', 'list', ...oem], sandbox.env);
    expect(list.stdout).toMatch(/car-0001 +rpi4 +revoked +online +2026-03-01T10:00:00.000Z/);
  });
});
