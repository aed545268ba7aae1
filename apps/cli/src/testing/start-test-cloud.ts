import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Tests only: a real cloud core behind the same HTTP composition as apps/cloud's server
// (upload handler + tRPC fetch adapter), so the CLI talks real HTTP to real cloud code.
// The CLI itself imports only the api's types.
import {
  appRouter,
  createCaller,
  createContext,
  createContextForActor,
  handleUploadRequest,
  isUploadRequest,
  resolveSession,
  signIn,
  startCloudCore,
  type Actor,
  type CloudCore,
} from '@openaos/api';
import { TEST_PASSWORD_HASH_COST } from '@openaos/api/testing';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';

export interface TestCloud {
  url: string;
  core: CloudCore;
  /** Create an organisation (once per name) and a user in it; returns the user's PKCS#12. */
  addUser(kind: 'sp' | 'oem', organisationName: string, email: string): Promise<{ actor: Actor; pkcs12: Buffer }>;
  close(): Promise<void>;
}

async function toFetchRequest(request: IncomingMessage, url: URL): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const method = request.method ?? 'GET';
  const chunks: Buffer[] = [];
  if (method !== 'GET' && method !== 'HEAD') for await (const chunk of request) chunks.push(chunk as Buffer);
  return new Request(url, { method, headers, ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}) });
}

export async function startTestCloud(options: { maxUploadBytes?: number } = {}): Promise<TestCloud> {
  const dataDir = await mkdtemp(join(tmpdir(), 'openaos-cli-cloud-'));
  const core = await startCloudCore({
    dataDir,
    adminPassword: 'admin password for tests',
    passwordHashCost: TEST_PASSWORD_HASH_COST,
    ...(options.maxUploadBytes ? { maxUploadBytes: options.maxUploadBytes } : {}),
  });
  const server = createServer((request, response) => {
    if (isUploadRequest(request)) {
      void handleUploadRequest(core.deps, request, response);
      return;
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (!url.pathname.startsWith(`${CLOUD_HTTP_PATHS.trpc}/`)) {
      response.statusCode = 404;
      response.end();
      return;
    }
    void (async () => {
      const fetchResponse = await fetchRequestHandler({
        endpoint: CLOUD_HTTP_PATHS.trpc,
        req: await toFetchRequest(request, url),
        router: appRouter,
        createContext: ({ req }) =>
          createContext({
            deps: core.deps,
            request: {
              authorization: req.headers.get('authorization'),
              cookie: req.headers.get('cookie'),
              method: req.method,
              path: new URL(req.url).pathname,
              clientAddress: request.socket.remoteAddress,
            },
          }),
      });
      response.writeHead(fetchResponse.status, Object.fromEntries(fetchResponse.headers));
      response.end(Buffer.from(await fetchResponse.arrayBuffer()));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const bootstrap = core.bootstrap;
  if (!bootstrap) throw new Error('test cloud: the admin should be created on a new data directory');
  const session = await signIn(
    core.deps.db,
    { email: bootstrap.email, password: bootstrap.password },
    new Date(),
    'in-process',
  );
  const admin = (await resolveSession(core.deps.db, session.token, new Date()))!;
  const caller = (actor: Actor) => createCaller(createContextForActor(core.deps, actor));
  const organisations = new Map<string, string>();

  return {
    url,
    core,
    async addUser(kind, organisationName, email) {
      let organisationId = organisations.get(organisationName);
      if (!organisationId) {
        organisationId = (await caller(admin).organisations.create({ name: organisationName, kind })).id;
        organisations.set(organisationName, organisationId);
      }
      const password = 'correct horse battery staple';
      await caller(admin).users.create({ email, name: email, role: kind, organisationId, password });
      const actor = (await signIn(core.deps.db, { email, password }, new Date(), 'in-process')).actor;
      const issued = await caller(actor).credentials.issue();
      return { actor, pkcs12: Buffer.from(issued.pkcs12Base64, 'base64') };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await core.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
