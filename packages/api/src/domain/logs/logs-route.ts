/**
 * `GET /api/logs` — logs for people, on the cloud's one port (docs/logs.md). Authenticated like
 * every call (an `AosCert` token or the console's session), authorized by resolveLogTarget.
 *
 * - A range (`since`, `until`: ISO 8601): `application/x-ndjson`, one `{"lines": [...]}` per
 *   chunk as the unit's parts arrive, then `{"done": true}` or `{"error": {code, message}}`.
 * - `follow=1`: `text/event-stream`; `lines` events carry `id: <position>` so a viewer that
 *   reconnects (EventSource sends `Last-Event-ID`; the CLI sends `from=`) continues after the last
 *   line it got; `waiting`/`resumed` say when the unit dropped and came back; `end` says why the
 *   follow stopped.
 * Errors before the first byte are JSON `{code, message}` with the status of their code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import type { CloudDependencies } from '../../dependencies.js';
import { ApiError } from '../../errors.js';
import { authenticateRequest } from '../../http/authenticate-request.js';
import { HTTP_STATUS_OF } from '../../trpc/error-codes.js';
import { fetchLog, unitOffline } from './fetch-log.js';
import { followAnywhere } from './follow-anywhere.js';
import { logHubOf, type FollowEvent } from './log-hub.js';
import { logRelayOf } from './log-relay.js';
import { resolveLogTarget, type LogSelection } from './log-target.js';

/** Lines per NDJSON record of a range. */
const LINES_PER_RECORD = 500;
const KEEPALIVE_MS = 15_000;

export function isLogsRequest(request: IncomingMessage): boolean {
  return (request.url ?? '').split('?')[0] === CLOUD_HTTP_PATHS.logs;
}

/** Serve `GET /api/logs`; the caller checked {@link isLogsRequest}. Never rejects. */
export async function handleLogsRequest(
  deps: CloudDependencies,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    await serve(deps, request, response);
  } catch (error) {
    const apiError =
      error instanceof ApiError ? error : new ApiError('internal', `reading a log: ${(error as Error).message}`);
    if (apiError.code === 'internal') console.error('logs route:', error);
    if (!response.headersSent) {
      response.writeHead(HTTP_STATUS_OF[apiError.code], { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: apiError.code, message: apiError.message }));
    } else response.destroy();
  }
}

async function serve(deps: CloudDependencies, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET') {
    response.setHeader('Allow', 'GET');
    throw new ApiError('invalid-input', `${request.method} ${CLOUD_HTTP_PATHS.logs}: only GET reads logs`);
  }
  const { actor } = await authenticateRequest(deps, {
    authorization: request.headers.authorization,
    cookie: request.headers.cookie,
    method: 'GET',
    path: CLOUD_HTTP_PATHS.logs,
  });
  if (!actor)
    throw new ApiError(
      'unauthenticated',
      'reading a log: send an AosCert token (aos logs does) or sign in to the console',
    );
  const query = new URL(request.url ?? '/', 'http://cloud.invalid').searchParams;
  const target = await resolveLogTarget(deps.db, actor, readSelection(query));
  const hub = logHubOf(deps);
  // The unit's socket is on this process, or on another one (PostgreSQL: the relay asks it).
  const owner = hub.channelOf(target.unitId) ? undefined : await logRelayOf(deps)?.ownerOf(target.unitId);
  if (!hub.channelOf(target.unitId) && owner === undefined) throw unitOffline(target.systemId, target.what);

  if (query.get('follow') === '1') {
    if (target.kind !== 'instance')
      throw new ApiError('invalid-input', 'following a log: only an instance log can be followed (leave out agent=1)');
    const from = request.headers['last-event-id'] ?? query.get('from') ?? undefined;
    return streamFollow(response, request, (deliver) =>
      followAnywhere(
        deps,
        target,
        { from: typeof from === 'string' && from ? from : undefined, tailLines: readInt(query, 'tail', 0, 10_000) },
        deliver,
      ),
    );
  }
  const filter = {
    ...readTime(query, 'since', 'from'),
    ...readTime(query, 'until', 'till'),
    ...(target.kind === 'instance'
      ? { item: { id: target.serviceId }, subject: { id: target.subjectId }, instance: target.instance }
      : {}),
  };
  const logRequest = {
    unitId: target.unitId,
    systemId: target.systemId,
    logType: target.kind === 'agent' ? ('systemLog' as const) : ('instanceLog' as const),
    filter,
    what: target.what,
  };
  const relay = logRelayOf(deps);
  const text =
    owner === undefined || !relay ? await fetchLog(hub, logRequest) : await relay.fetchRemote(owner, logRequest);
  response.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
  const write = (record: unknown) =>
    response.write(`${JSON.stringify(record)}\n`) ? Promise.resolve() : waitForDrain(response);
  request.once('close', () => text.destroy());
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of text as AsyncIterable<Buffer>) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop() ?? '';
      for (let index = 0; index < lines.length; index += LINES_PER_RECORD)
        await write({ lines: lines.slice(index, index + LINES_PER_RECORD) });
    }
    rest += decoder.end();
    if (rest) await write({ lines: [rest], isPartial: true });
    response.end(`${JSON.stringify({ done: true })}\n`);
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError('unit-refused', (error as Error).message);
    response.end(`${JSON.stringify({ error: { code: apiError.code, message: apiError.message } })}\n`);
  }
}

function streamFollow(
  response: ServerResponse,
  request: IncomingMessage,
  start: (deliver: (event: FollowEvent) => void) => { stop: () => void },
): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.write(': following\n\n');
  return new Promise<void>((resolve) => {
    const keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
    const finish = () => {
      clearInterval(keepalive);
      follow.stop();
      resolve();
    };
    const follow = start((event) => {
      if (event.type === 'lines') {
        const { type: _type, ...data } = event;
        response.write(`id: ${event.next}\nevent: lines\ndata: ${JSON.stringify(data)}\n\n`);
      } else {
        const { type, ...data } = event;
        response.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
        if (type === 'ended') {
          response.end();
          finish();
        }
      }
    });
    request.once('close', finish);
  });
}

function readSelection(query: URLSearchParams): LogSelection {
  return {
    serviceId: query.get('service') ?? undefined,
    systemId: query.get('unit') ?? undefined,
    subjectId: query.get('subject') ?? undefined,
    instance: readInt(query, 'instance', 0, 1_000_000),
    agent: query.get('agent') === '1',
  };
}

function readInt(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max)
    throw new ApiError(
      'invalid-input',
      `${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  return number;
}

function readTime<K extends 'from' | 'till'>(
  query: URLSearchParams,
  name: string,
  field: K,
): Partial<Record<K, string>> {
  const value = query.get(name);
  if (!value) return {};
  const time = new Date(value);
  if (Number.isNaN(time.getTime()))
    throw new ApiError(
      'invalid-input',
      `${name}: expected an ISO 8601 time such as 2026-12-05T10:00:00Z, got ${JSON.stringify(value)}`,
    );
  return { [field]: time.toISOString() } as Partial<Record<K, string>>;
}

function waitForDrain(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}
