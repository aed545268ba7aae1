import type { AppRouter } from '@openaos/api';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { CLOUD_HTTP_PATHS, createCertificateToken, formatCertificateAuthorization } from '@openaos/protocol';
import { CliError } from '../errors.js';
import type { CloudTarget } from './cloud-settings.js';
import { nodeFetch } from './node-fetch.js';

export type CloudInputs = inferRouterInputs<AppRouter>;
export type CloudOutputs = inferRouterOutputs<AppRouter>;
export type CloudClient = ReturnType<typeof createTRPCClient<AppRouter>>;

/**
 * A typed tRPC client for the cloud. `httpLink` (not the batch link) so each HTTP request is
 * one procedure and its path (`<CLOUD_HTTP_PATHS.trpc>/<procedure>`) is what the per-request token signs.
 * Without a credential only public procedures (system.info) work.
 */
export function createCloudClient(
  target: Pick<CloudTarget, 'url'> & { credential?: CloudTarget['credential'] },
): CloudClient {
  const basePath = new URL(target.url).pathname.replace(/\/+$/, '');
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${target.url}${CLOUD_HTTP_PATHS.trpc}`,
        fetch: nodeFetch,
        headers: ({ op }) =>
          target.credential
            ? {
                authorization: formatCertificateAuthorization(
                  createCertificateToken(target.credential, {
                    method: op.type === 'query' ? 'GET' : 'POST',
                    path: `${basePath}${CLOUD_HTTP_PATHS.trpc}/${op.path}`,
                  }),
                ),
              }
            : {},
      }),
    ],
  });
}

interface ErrorData {
  code?: string;
  httpStatus?: number;
  apiCode?: string | null;
  fieldErrors?: Record<string, string> | null;
}

/**
 * Run one cloud call and turn its failures into CliError: what was being done, the cloud's
 * message and domain code, and what to do (sign in again, start the cloud...).
 */
export async function callCloud<T>(action: string, url: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = (error.data ?? {}) as ErrorData;
      const status = data.httpStatus;
      if (status === undefined && !data.code) {
        // No tRPC answer at all: the cloud is not there (or not an OpenAos cloud).
        throw new CliError('failed', action, `cannot reach ${url}: ${causeMessage(error)}`, {
          cause: error,
          hint: 'check the address (`aos login --url <cloud URL>`) and that the cloud is running',
        });
      }
      const code = data.apiCode ?? data.code ?? 'error';
      // Input the cloud refused: name each field and what is wrong with it, not the raw validation dump.
      const fields = Object.entries(data.fieldErrors ?? {}).map(([field, problem]) => `${field}: ${problem}`);
      const message = fields.length > 0 ? fields.join('; ') : error.message;
      throw new CliError('failed', action, `${message} (${code}${status ? `, HTTP ${status}` : ''})`, {
        cause: error,
        hint: hintForStatus(status),
      });
    }
    throw error;
  }
}

function causeMessage(error: Error): string {
  const cause = error.cause as (Error & { cause?: Error & { code?: string } }) | undefined;
  return cause?.cause?.code ?? cause?.cause?.message ?? cause?.message ?? error.message;
}

/** What a person can do about an HTTP status from the cloud. */
export function hintForStatus(status: number | undefined): string | undefined {
  switch (status) {
    case 401:
      return 'the cloud did not accept your credential: check that it was issued by this cloud and is not revoked (`aos credentials show`), and that your clock is right';
    case 403:
      return 'your role may not do this: services need an SP credential, units and subjects an OEM one (--pkcs12)';
    case 404:
      return 'check the ID (`aos service list`, `aos unit list`, `aos subject list`)';
    case 409:
      return 'raise publish.version in meta/config.yaml (it must be newer than the last upload), then sign again';
    case 413:
      return 'the package is bigger than the cloud accepts';
    default:
      return undefined;
  }
}
