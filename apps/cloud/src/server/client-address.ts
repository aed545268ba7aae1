import type { IncomingMessage } from 'node:http';

/**
 * The request header through which the custom server hands the client's address to the Next
 * route handlers (they see a fetch Request, not the socket). The server always overwrites it,
 * so a value a client sends is never believed.
 */
export const CLIENT_ADDRESS_HEADER = 'x-openaos-client-address';

/**
 * The address of the client that sent a request. With no trusted proxy: the socket's peer. Behind
 * `trustedProxies` reverse proxies that each append the address they received from to
 * `X-Forwarded-For`: the entry that many places from its end — the one the outermost of our
 * proxies wrote; entries before it are whatever the client chose to send. When the header has
 * fewer entries the request did not pass through the proxies, and the socket's peer is used.
 */
export function resolveClientAddress(request: IncomingMessage, trustedProxies: number): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  if (trustedProxies <= 0) return peer;
  const header = request.headers['x-forwarded-for'];
  const entries = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  return entries[entries.length - trustedProxies] ?? peer;
}

/** Put the resolved client address on the request for the route handlers, replacing any sent value. */
export function attachClientAddress(request: IncomingMessage, trustedProxies: number): void {
  request.headers[CLIENT_ADDRESS_HEADER] = resolveClientAddress(request, trustedProxies);
}
