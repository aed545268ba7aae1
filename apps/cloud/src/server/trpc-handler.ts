import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter, createContext, type CloudDependencies } from '@openaos/api';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';

/** tRPC's fetch adapter over the app router: authenticates each request from its headers. */
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
          },
          setCookie: (value) => resHeaders.append('Set-Cookie', value),
          secureCookies: options.secureCookies,
        }),
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'} failed:`, error.cause ?? error);
      },
    });
}
