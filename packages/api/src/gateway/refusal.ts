import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { UnitRefusal } from '@openaos/protocol';
import { UnitAccessError } from '../domain/provisioning/unit-access-error.js';

/** A UnitAccessError as is; anything else as a 500 that says the cloud failed (details go to the log). */
export function toRefusal(error: unknown): { status: number; body: UnitRefusal } {
  if (error instanceof UnitAccessError)
    return { status: error.status, body: { code: error.code, message: error.message } };
  return {
    status: 500,
    body: { code: 'internal', message: 'the cloud failed to handle this request; try again later (its log says why)' },
  };
}

/** Answer a refused WebSocket upgrade with a plain HTTP response and close the connection. */
export function writeUpgradeRefusal(
  socket: Duplex,
  status: number,
  body: UnitRefusal,
  headers: Record<string, string> = {},
): void {
  if (socket.destroyed) return;
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      'Connection: close\r\n\r\n' +
      text,
  );
}

/** Answer a refused HTTP request (blob download) with the JSON refusal. */
export function sendHttpRefusal(
  response: ServerResponse,
  status: number,
  body: UnitRefusal,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
