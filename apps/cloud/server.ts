/**
 * The cloud's one process and one port: uploads are streamed here before Next sees them, the
 * unit gateway takes `/ws/` (provisioning and unit channel WebSockets) and `/api/v7/blobs/`
 * (docs/unit-channel.md), everything else is Next (console pages and the tRPC route).
 * Start: `pnpm --filter @openaos/cloud start` (after build).
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nextImport from 'next';
import {
  createLiveEvents,
  createUnitGateway,
  handleLogsRequest,
  handleMetricsRequest,
  handleUploadRequest,
  isLogsRequest,
  isUploadRequest,
} from '@openaos/api';
import { LIVE_EVENTS_PATH } from './src/live-path.js';
import { getCloud } from './src/server/cloud.js';
import { setCloudHandlers } from './src/server/cloud-global.js';
import { attachClientAddress } from './src/server/client-address.js';
import { createTrpcHandler } from './src/server/trpc-handler.js';

// tsc (NodeNext) types next's CommonJS default export as the module object; at runtime the
// default import is the factory itself. Take whichever is the function.
const createNextServer = ((nextImport as unknown as { default?: unknown }).default ??
  nextImport) as typeof nextImport.default;

/** The app directory (holding next.config.ts), whether this runs as server.ts (tsx) or dist/server.js. */
function findAppDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 3 && !existsSync(join(directory, 'next.config.ts')); i++) directory = dirname(directory);
  return directory;
}

/** Connections the kernel may hold for the cloud before it accepts them. */
const LISTEN_BACKLOG = 8192;

async function main(): Promise<void> {
  const { env, core: corePromise } = getCloud();
  const core = await corePromise;
  const dev = env.NODE_ENV !== 'production';
  setCloudHandlers({ handleTrpc: createTrpcHandler(core.deps, { secureCookies: env.OPENAOS_SECURE_COOKIES }) });
  const app = createNextServer({
    dev,
    dir: findAppDirectory(),
    hostname: env.HOST,
    port: env.PORT,
    customServer: true,
  });
  await app.prepare();
  const handle = app.getRequestHandler();
  const handleNextUpgrade = app.getUpgradeHandler();
  const gateway = createUnitGateway(core.deps, { publicUrl: env.OPENAOS_PUBLIC_URL });
  const live = createLiveEvents(core.deps, { path: LIVE_EVENTS_PATH });

  const server = createServer((request, response) => {
    attachClientAddress(request, env.OPENAOS_TRUSTED_PROXIES);
    if (isUploadRequest(request)) {
      void handleUploadRequest(core.deps, request, response);
      return;
    }
    if (gateway.handleBlobRequest(request, response)) return;
    const metrics = { token: env.OPENAOS_METRICS_TOKEN, connectedUnits: () => gateway.connectedUnitIds().length };
    if (handleMetricsRequest(request, response, metrics)) return;
    if (live.handleRequest(request, response)) return;
    if (isLogsRequest(request)) return void handleLogsRequest(core.deps, request, response);
    handle(request, response).catch((error: unknown) => {
      console.error('request failed', request.url, error);
      if (!response.headersSent) response.statusCode = 500;
      response.end();
    });
  });

  server.on('upgrade', (request, socket, head) => {
    if (gateway.handleUpgrade(request, socket, head)) return;
    void handleNextUpgrade(request, socket, head);
  });

  // A fleet reconnecting at once (a cloud restart, a network back) opens thousands of connections
  // within a second: Node's default queue of 511 pending connections reset most of 10,000 units'
  // first attempts in the fleet bench. The kernel caps it at net.core.somaxconn (docs/self-hosting.md).
  server.listen({ port: env.PORT, host: env.HOST, backlog: LISTEN_BACKLOG }, () => {
    const url = env.OPENAOS_PUBLIC_URL ?? `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT}`;
    const lines = [
      `OpenAos cloud listening on ${url} (${dev ? 'development' : 'production'})`,
      `  data directory: ${env.dataDir}`,
      `  database: ${core.database.driver} (${core.database.location})`,
      `  sign in at ${url}/sign-in`,
    ];
    for (const version of core.recovered.failedVersions) {
      lines.push(
        `  version ${version.version} of service ${version.serviceId} was being built when a cloud process stopped: marked failed`,
      );
    }
    if (core.bootstrap) {
      lines.push(
        '',
        'First start: an admin account was created.',
        `  user:     ${core.bootstrap.email}`,
        core.bootstrap.generated
          ? `  password: ${core.bootstrap.password}    (shown only now — keep it; change it under "Credential" after signing in)`
          : '  password: the value of OPENAOS_ADMIN_PASSWORD',
        '  Sign in, create organisations and users under "Admin", then download credentials.',
      );
    }
    console.log(lines.join('\n'));
  });

  const shutdown = () => {
    live.close();
    server.close();
    // Units are marked offline before the database closes.
    void gateway
      .close()
      .catch((error: unknown) => console.error('closing the unit gateway:', error))
      .then(() => core.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
