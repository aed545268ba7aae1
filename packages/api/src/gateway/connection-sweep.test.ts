import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { createCloudFixture, type CloudFixture } from '../testing/cloud-fixture.js';
import { startGatewayServer, type GatewayServer } from '../testing/gateway-server.js';
import { waitFor } from '../testing/wait-for.js';

describe.each(['pglite', 'postgres'] as const)('units of a cloud process that died, on %s', (driver) => {
  let cloud: CloudFixture;
  let gateway: GatewayServer;
  beforeAll(async () => {
    cloud = await createCloudFixture(driver);
    gateway = await startGatewayServer(cloud.deps, { limits: { pingIntervalMs: 0 }, heartbeatMs: 50 });
  });
  afterAll(async () => {
    await gateway?.close();
    await cloud?.close();
  });

  it('are shown offline, with the last time that process vouched for them', async () => {
    const oem = await cloud.addUser('oem', 'Maker', 'o@maker.example');
    const unit = await cloud.caller(oem).units.create({ systemId: 'unit-orphan', model: 'm' });
    const [dead] = await cloud.deps.db
      .insert(schema.cloudProcesses)
      .values({ hostname: 'gone', pid: 1, heartbeatAt: new Date(Date.now() - 3600_000) })
      .returning();
    const lastSeenAt = new Date(Date.now() - 120_000);
    await cloud.deps.db
      .update(schema.units)
      .set({ connection: 'online', connectedProcess: dead!.id, lastSeenAt })
      .where(eq(schema.units.id, unit.id));
    const row = await waitFor(async () => {
      const [current] = await cloud.deps.db.select().from(schema.units).where(eq(schema.units.id, unit.id));
      return current?.connection === 'offline' ? current : undefined;
    }, 'the orphaned unit marked offline');
    expect(row.connectedProcess).toBeNull();
    expect(row.lastSeenAt?.getTime()).toBe(lastSeenAt.getTime());
    const events = await cloud.deps.db
      .select()
      .from(schema.unitStatusEvents)
      .where(eq(schema.unitStatusEvents.unitId, unit.id));
    expect(events.map((event) => [event.kind, event.state])).toEqual([['connection', 'offline']]);
  });
});
