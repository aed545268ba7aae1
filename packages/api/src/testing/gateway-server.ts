import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { schema } from '@openaos/db';
import type { Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { hashProvisioningToken } from '../domain/provisioning/create-token.js';
import { createUnitGateway, type UnitGateway, type UnitGatewayOptions } from '../gateway/unit-gateway.js';
import type { CloudFixture } from './cloud-fixture.js';
import { provisionTestUnit, type TestUnitIdentity } from './test-unit.js';

export interface GatewayServer {
  url: string;
  gateway: UnitGateway;
  server: Server;
  /** Problems the gateway reported. */
  logs: string[];
  close(): Promise<void>;
}

/** The unit gateway alone on a bare HTTP server on a free port (as apps/cloud/server.ts mounts it). */
export async function startGatewayServer(
  deps: CloudDependencies,
  options: UnitGatewayOptions = {},
): Promise<GatewayServer> {
  const logs: string[] = [];
  const gateway = createUnitGateway(deps, { log: (message) => logs.push(message), ...options });
  const server = createServer((request, response) => {
    if (gateway.handleBlobRequest(request, response)) return;
    response.writeHead(404).end();
  });
  server.on('upgrade', (request, socket, head) => {
    if (!gateway.handleUpgrade(request, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    gateway,
    server,
    logs,
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Store a provisioning token for the unit as the token service does (sha256 hex only); returns the token. */
export async function insertProvisioningToken(
  deps: Pick<CloudDependencies, 'db'>,
  unitId: string,
  options: { expiresAt?: Date } = {},
): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await deps.db.insert(schema.provisioningTokens).values({
    tokenHash: hashProvisioningToken(token),
    unitId,
    expiresAt: options.expiresAt ?? new Date(Date.now() + 3600_000),
  });
  return token;
}

/** Register a unit as the OEM and provision it over the gateway; returns its id and identity. */
export async function registerAndProvision(
  cloud: CloudFixture,
  oem: Actor,
  url: string,
  systemId: string,
): Promise<{ unitId: string; identity: TestUnitIdentity }> {
  const unit = await cloud.caller(oem).units.create({ systemId, model: 'test-model' });
  const token = await insertProvisioningToken(cloud.deps, unit.id);
  const identity = await provisionTestUnit({ cloudUrl: url, systemId, token });
  return { unitId: unit.id, identity };
}
