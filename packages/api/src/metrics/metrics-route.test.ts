import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@openaos/db';
import { createUnitGateway, type UnitGateway } from '../gateway/unit-gateway.js';
import { createCloudFixture, type CloudFixture } from '../testing/cloud-fixture.js';
import { registerAndProvision } from '../testing/gateway-server.js';
import { connectTestUnit, type TestUnitIdentity } from '../testing/test-unit.js';
import { waitFor } from '../testing/wait-for.js';
import { handleMetricsRequest } from './metrics-route.js';

const TOKEN = 'metrics-token-for-tests-0123456789';

/** A metric's value in the text format (0 when absent). */
function valueOf(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('GET /metrics with the unit gateway', () => {
  let cloud: CloudFixture;
  let gateway: UnitGateway;
  let server: Server;
  let url: string;
  let unit: { unitId: string; identity: TestUnitIdentity };
  let token: string | undefined = TOKEN;

  beforeAll(async () => {
    cloud = await createCloudFixture('pglite');
    gateway = createUnitGateway(cloud.deps, { log: () => undefined });
    server = createServer((request, response) => {
      const metrics = { token, connectedUnits: () => gateway.connectedUnitIds().length };
      if (handleMetricsRequest(request, response, metrics)) return;
      if (gateway.handleBlobRequest(request, response)) return;
      response.writeHead(404).end();
    });
    server.on('upgrade', (request, socket, head) => {
      if (!gateway.handleUpgrade(request, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const oem = await cloud.addUser('oem', 'Maker', 'oem@maker.example');
    unit = await registerAndProvision(cloud, oem, url, 'metrics-unit');
  });

  afterAll(async () => {
    await gateway?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await cloud?.close();
  });

  const scrape = (authorization?: string) =>
    fetch(`${url}/metrics`, authorization ? { headers: { authorization } } : {});

  it('refuses a scrape without the token or with another one, saying what to send', async () => {
    const bare = await scrape();
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(await bare.text()).toMatch(/Authorization: Bearer <the OPENAOS_METRICS_TOKEN/);
    expect((await scrape('Bearer not-the-token-at-all-000000')).status).toBe(401);
    expect((await scrape(`Basic ${TOKEN}`)).status).toBe(401);
  });

  it('counts a unit connection, its messages, and stores the monitoringData it sends', async () => {
    const before = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(before).toMatch(/^# HELP process_cpu_user_seconds_total/m);
    expect(valueOf(before, 'openaos_connected_units')).toBe(0);
    expect(valueOf(before, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    const connection = await connectTestUnit({ cloudUrl: url, identity: unit.identity });
    await connection.channel.send({
      messageType: 'monitoringData',
      nodes: [{ node: { codename: 'main' }, items: [{ timestamp: new Date().toISOString(), cpu: 5, ram: 4096 }] }],
    });
    await waitFor(
      async () => (await cloud.deps.db.select().from(schema.monitoringLatest)).length === 1,
      'the sample stored',
    );
    const response = await scrape(`Bearer ${TOKEN}`);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const during = await response.text();
    expect(valueOf(during, 'openaos_connected_units')).toBe(1);
    expect(valueOf(during, 'openaos_unit_connections_total')).toBe(
      valueOf(before, 'openaos_unit_connections_total') + 1,
    );
    // In: the unit status and the monitoring data; out: their acks (and a desired status).
    expect(valueOf(during, 'openaos_unit_messages_total{direction="in"}')).toBeGreaterThanOrEqual(2);
    expect(valueOf(during, 'openaos_unit_messages_total{direction="out"}')).toBeGreaterThanOrEqual(2);
    await connection.close();
    await waitFor(() => gateway.connectedUnitIds().length === 0, 'the unit gone');
    expect(valueOf(await (await scrape(`Bearer ${TOKEN}`)).text(), 'openaos_connected_units')).toBe(0);
  });

  it('is not there at all when no token is configured', async () => {
    token = undefined;
    expect((await scrape(`Bearer ${TOKEN}`)).status).toBe(404);
    token = TOKEN;
  });
});
