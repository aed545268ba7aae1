/**
 * Server-sent events for the console's live views (docs/alerts-and-state.md "Live console"):
 * `GET <path>` with the session cookie (or an AosCert token) opens a `text/event-stream` of
 * `change` events `{kind, unitIds, serviceIds}` — every announcement of the unit events bus
 * (local, or PostgreSQL LISTEN/NOTIFY: changes made through any cloud process), scoped to what
 * the caller may see. A change only says "look again": the views reload through tRPC.
 *
 * Invariants: the bus is heard once per process, whatever the number of viewers; an event's
 * owners are read once for all viewers; a viewer whose session ended is closed at its next
 * heartbeat; nothing thrown here reaches the HTTP server (failures are logged).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { ApiError } from '../errors.js';
import { authenticateRequest, readCookie } from '../http/authenticate-request.js';
import { resolveSession, SESSION_COOKIE } from '../domain/sessions.js';
import type { UnitEvent } from '../unit-events/unit-events.js';
import { readEventOwners, scopeChange, type LiveChange } from './live-scope.js';

export interface LiveEventsOptions {
  /** The URL path of the stream. */
  path: string;
  /** Comment lines keep proxies from closing an idle stream; the session is checked again then. Default 25 s. */
  heartbeatMs?: number;
  log?: (message: string) => void;
}

export interface LiveEvents {
  /** Serve the request if it is for the stream; false when it is not (someone else's). */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /** How many viewers are connected (tests, metrics). */
  viewerCount(): number;
  close(): void;
}

interface Viewer {
  actor: Actor;
  sessionToken: string | null;
  response: ServerResponse;
}

export function createLiveEvents(
  deps: Pick<CloudDependencies, 'db' | 'authority' | 'now' | 'unitEvents'>,
  options: LiveEventsOptions,
): LiveEvents {
  const log = options.log ?? ((message: string) => console.error(message));
  const viewers = new Set<Viewer>();
  let chain: Promise<void> = Promise.resolve();

  const send = (viewer: Viewer, change: LiveChange) => {
    viewer.response.write(`event: change\ndata: ${JSON.stringify(change)}\n\n`);
  };
  const deliver = async (event: UnitEvent) => {
    if (viewers.size === 0) return;
    const owners = await readEventOwners(deps.db, event);
    for (const viewer of viewers) {
      const change = scopeChange(viewer.actor, owners);
      if (change) send(viewer, change);
    }
  };
  // In order, one event at a time: a view never hears of a change before an earlier one.
  const unsubscribe = deps.unitEvents.subscribe((event) => {
    chain = chain.then(() => deliver(event)).catch((error: unknown) => log(`live events: ${String(error)}`));
  });

  const heartbeat = setInterval(() => {
    for (const viewer of viewers) {
      viewer.response.write(': ping\n\n');
      if (viewer.sessionToken)
        void resolveSession(deps.db, viewer.sessionToken, deps.now())
          .then((actor) => {
            if (!actor) viewer.response.end('event: signed-out\ndata: {}\n\n');
          })
          .catch(() => undefined);
    }
  }, options.heartbeatMs ?? 25_000);
  heartbeat.unref();

  const open = async (request: IncomingMessage, response: ServerResponse) => {
    let actor: Actor | null = null;
    let failure = 'sign in first: the live view needs a console session';
    try {
      ({ actor } = await authenticateRequest(deps, {
        authorization: request.headers.authorization,
        cookie: request.headers.cookie,
        method: request.method ?? 'GET',
        path: options.path,
      }));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      failure = error.message;
    }
    if (!actor) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: failure }));
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.flushHeaders();
    // The browser reconnects after 2 s when the stream breaks; `ready` tells a view it may have missed changes.
    response.write('retry: 2000\nevent: ready\ndata: {}\n\n');
    const viewer: Viewer = { actor, sessionToken: readCookie(request.headers.cookie, SESSION_COOKIE), response };
    viewers.add(viewer);
    const forget = () => viewers.delete(viewer);
    request.once('close', forget);
    response.once('close', forget);
  };

  return {
    handleRequest(request, response) {
      const path = (request.url ?? '').split('?')[0];
      if (path !== options.path) return false;
      if (request.method !== 'GET') {
        response.writeHead(405, { allow: 'GET' }).end();
        return true;
      }
      open(request, response).catch((error: unknown) => {
        log(`live events: opening a stream: ${String(error)}`);
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
      return true;
    },
    viewerCount: () => viewers.size,
    close() {
      unsubscribe();
      clearInterval(heartbeat);
      for (const viewer of viewers) viewer.response.end();
      viewers.clear();
    },
  };
}
