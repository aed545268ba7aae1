import type { IncomingMessage } from 'node:http';
import { PERMANENT_REFUSAL_STATUSES, type UnitRefusal } from '@openaos/protocol';
import WebSocket from 'ws';
import { AgentError } from '../errors.js';

/** The cloud answered the upgrade with an HTTP refusal (`{code, message}`, docs/unit-channel.md). */
export class CloudRefusal extends AgentError {
  constructor(
    readonly status: number,
    readonly refusal: UnitRefusal,
    what: string,
  ) {
    super('refused', `${what}: the cloud refused (HTTP ${status} ${refusal.code}): ${refusal.message}`);
  }

  /** 401/403/409/410: retrying cannot heal it. */
  get isPermanent(): boolean {
    return PERMANENT_REFUSAL_STATUSES.includes(this.status);
  }
}

/** The cloud's URL turned into the WebSocket URL of `path` (http → ws, https → wss). */
export function webSocketUrl(cloudUrl: string, path: string): URL {
  const url = new URL(path, cloudUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new AgentError(
      'unreachable',
      `the cloud URL ${cloudUrl} is not http(s)://; give it as http(s)://host[:port]`,
    );
  return url;
}

const MAX_REFUSAL_BYTES = 16 * 1024;

function readRefusal(response: IncomingMessage): Promise<UnitRefusal> {
  return new Promise((resolve) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (body.length < MAX_REFUSAL_BYTES) body += chunk;
    });
    const finish = () => {
      try {
        const json = JSON.parse(body) as Partial<UnitRefusal>;
        if (typeof json.code === 'string' && typeof json.message === 'string')
          return resolve({ code: json.code, message: json.message });
      } catch {
        // Not the contract's JSON (a proxy's page?): report what came.
      }
      resolve({
        code: 'http-error',
        message: body.trim().slice(0, 300) || response.statusMessage || 'no reason given',
      });
    };
    response.on('end', finish);
    response.on('error', finish);
  });
}

/**
 * Open a WebSocket and resolve once it is open, PAUSED: attach the message listeners (createChannel
 * and its handlers), then `socket.resume()`. Rejects with CloudRefusal when the cloud answers
 * the upgrade with an HTTP status (its `{code, message}` body read), or AgentError('refused') when
 * the cloud cannot be reached.
 */
export function openSocket(
  url: URL,
  options: { authorization: string; maxPayload: number; what: string; timeoutMs?: number },
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      headers: { Authorization: options.authorization },
      maxPayload: options.maxPayload,
      handshakeTimeout: options.timeoutMs ?? 30_000,
    });
    let isSettled = false;
    const fail = (error: Error) => {
      if (isSettled) return;
      isSettled = true;
      try {
        socket.terminate();
      } catch {
        // Already closed.
      }
      reject(error);
    };
    socket.once('unexpected-response', (_request, response) => {
      readRefusal(response).then(
        (refusal) => fail(new CloudRefusal(response.statusCode ?? 0, refusal, options.what)),
        (error: unknown) => fail(error as Error),
      );
    });
    // `on`, not `once`: terminating a connecting socket emits another error, which must not go unheard.
    socket.on('error', (error) =>
      fail(
        new AgentError('unreachable', `${options.what}: cannot reach ${url.origin}: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    socket.once('open', () => {
      if (isSettled) return;
      isSettled = true;
      // Paused until the caller has its listeners: a first message that came in the same packet as
      // the upgrade's answer would otherwise be emitted before the awaiting caller runs, and lost.
      socket.pause();
      resolve(socket);
    });
  });
}
