import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter, createContext, readRetryAfterSeconds, type CloudDependencies } from '@openaos/api';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import { CLIENT_ADDRESS_HEADER } from './client-address.js';

/**
 * tRPC's fetch adapter over the app router: authenticates each request from its headers and
 * passes on the client address the server resolved (client-address.ts).
 */
export function createTrpcHandler(
  deps: CloudDependencies,
  options: { secureCookies: boolean },
): (request: Request) => Promise<Response> {
  return (request) =>
    fetchRequestHandler({
      endpoint: CLOUD_HTTP_PATHS.trpc,
      req: request,
      router: appRouter,
      createContext: ({ req, resHeaders }) =>
        createContext({
          deps,
          request: {
            authorization: req.headers.get('authorization'),
            cookie: req.headers.get('cookie'),
            method: req.method,
            path: new URL(req.url).pathname,
            clientAddress: req.headers.get(CLIENT_ADDRESS_HEADER),
          },
          setCookie: (value) => resHeaders.append('Set-Cookie', value),
          secureCookies: options.secureCookies,
        }),
      // A throttled call (429) says when to come back.
      responseMeta: ({ errors }) => {
        const waits = errors.map((error) => readRetryAfterSeconds(error.cause) ?? 0);
        const seconds = Math.max(0, ...waits);
        return seconds > 0 ? { headers: new Headers({ 'Retry-After': String(seconds) }) } : {};
      },
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'} failed:`, error.cause ?? error);
      },
    });
}
