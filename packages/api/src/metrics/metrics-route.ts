import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderCloudMetrics } from './cloud-metrics.js';

export const METRICS_PATH = '/metrics';

export interface MetricsRouteOptions {
  /** OPENAOS_METRICS_TOKEN: without it there is no /metrics (the request goes on to the console's 404). */
  token: string | undefined;
  /** How many units this process holds now (the gateway's). */
  connectedUnits: () => number;
}

function sameToken(given: string, expected: string): boolean {
  // Hashes first: equal lengths for timingSafeEqual, and no length leak.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Answer `GET /metrics` when metrics are on: the Prometheus text format to a request with
 * `Authorization: Bearer <OPENAOS_METRICS_TOKEN>`, 401 otherwise. Returns false (untouched) for
 * any other path, and for /metrics too when no token is configured (metrics are off).
 */
export function handleMetricsRequest(
  request: IncomingMessage,
  response: ServerResponse,
  options: MetricsRouteOptions,
): boolean {
  const path = (request.url ?? '').split('?')[0];
  if (path !== METRICS_PATH || !options.token) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
    response.end('/metrics: only GET\n');
    return true;
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match?.[1] || !sameToken(match[1], options.token)) {
    response.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="metrics"', 'Content-Type': 'text/plain' });
    response.end('/metrics: send Authorization: Bearer <the OPENAOS_METRICS_TOKEN of this cloud>\n');
    return true;
  }
  renderCloudMetrics(options.connectedUnits()).then(
    (text) => {
      response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end(request.method === 'HEAD' ? undefined : text);
    },
    (error: unknown) => {
      response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end(`/metrics: ${error instanceof Error ? error.message : String(error)}\n`);
    },
  );
  return true;
}
