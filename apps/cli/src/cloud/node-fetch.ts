import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What the tRPC client passes to `fetch`. */
export interface FetchInit {
  method?: string;
  headers?: unknown;
  body?: unknown;
  signal?: AbortSignal | null;
}

/** What the tRPC client reads of the answer (json) and what callers may look at. */
export interface FetchedResponse {
  ok: boolean;
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/**
 * The part of `fetch` the cloud client uses (a method, headers and a string body; the answer's
 * status and JSON) over node:http and node:https. Node's own fetch (undici) costs about 0.25 s of
 * CPU on every `aos` run to load and to compile its HTTP parser, more than the rest of a cloud
 * command. Like fetch: no timeout, redirects are not followed by the tRPC client either way (the
 * cloud answers tRPC calls directly), and a failed connection rejects with TypeError('fetch failed')
 * whose cause is the system error (callCloud names its code). Other bodies, headers objects or
 * requests go to fetch itself.
 */
export function nodeFetch(input: string | URL | Request, init: FetchInit = {}): Promise<FetchedResponse> {
  const { body, headers, signal } = init;
  const isPlain = (value: unknown) => value === undefined || Object.getPrototypeOf(value) === Object.prototype;
  if (
    typeof input !== 'string' ||
    (body !== undefined && body !== null && typeof body !== 'string') ||
    !isPlain(headers)
  )
    return fetch(input, init as RequestInit);
  const url = new URL(input);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: init.method ?? 'GET', headers: headers as Record<string, string> | undefined });
    const onAbort = () => request.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? (signal.reason as Error) : new TypeError('fetch failed', { cause: error }));
    });
    request.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
      response.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        const text = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        resolve({
          ok: status >= 200 && status < 300,
          status,
          statusText: response.statusMessage ?? '',
          headers: {
            get(name) {
              const value = response.headers[name.toLowerCase()];
              return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
            },
          },
          text: () => Promise.resolve(text),
          json: () => Promise.resolve().then(() => JSON.parse(text) as unknown),
        });
      });
    });
    if (typeof body === 'string') request.end(body);
    else request.end();
  });
}
