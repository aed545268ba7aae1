import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { PushLog, RequestLog } from '@openaos/protocol/v7';
import { ApiError } from '../../errors.js';
import { AsyncQueue } from './async-queue.js';
import type { LogHub } from './log-hub.js';

export interface FetchLogRequest {
  unitId: string;
  systemId: string;
  logType: RequestLog['logType'];
  filter: RequestLog['filter'];
  /** What the log is, for messages (`service X instance 0 on unit Y`). */
  what: string;
}

/** Without a part for this long, the unit is taken to have stopped answering. */
export const PART_TIMEOUT_MS = 60_000;

/**
 * Ask the unit (connected to this process) for a log range and return its text as a stream: the
 * `pushLog` parts, numbered from 1, are gunzipped as they come, never assembled in memory. What
 * waits between the unit and a slow reader is bounded by what the unit sends for one request
 * (its per-request cap). The stream fails with an ApiError when the unit refuses, has no such
 * log, sends a part out of order, disconnects or goes quiet; it is empty for an empty range.
 */
export async function fetchLog(
  hub: LogHub,
  request: FetchLogRequest,
  options: { partTimeoutMs?: number } = {},
): Promise<Readable> {
  const channel = hub.channelOf(request.unitId);
  if (!channel) throw unitOffline(request.systemId, request.what);
  const correlationId = randomUUID();
  const parts = new AsyncQueue<PushLog>();
  const release = hub.registerRequest(correlationId, {
    unitId: request.unitId,
    receive: (part) => parts.push(part),
    fail: (error) => parts.fail(error),
  });
  try {
    await channel.send({ messageType: 'requestLog', correlationId, logType: request.logType, filter: request.filter });
  } catch (error) {
    release();
    throw new ApiError('unit-offline', `asking unit ${request.systemId} for ${request.what}: ${describe(error)}`, {
      cause: error,
    });
  }
  const timeoutMs = options.partTimeoutMs ?? PART_TIMEOUT_MS;
  const timeout = () =>
    new ApiError('unit-offline', `reading ${request.what}: unit ${request.systemId} stopped sending it`);
  // The first answer decides between an error (thrown here, before anything is sent to the viewer) and a log.
  let first: PushLog;
  try {
    first = await parts.next(timeoutMs, timeout);
  } catch (error) {
    release();
    throw error instanceof ApiError
      ? error
      : new ApiError('unit-offline', `reading ${request.what}: ${describe(error)}`);
  }
  if (first.status !== 'ok') {
    release();
    if (first.status === 'empty') return Readable.from([]);
    const reason = first.errorInfo?.message ?? first.status;
    throw new ApiError(first.status === 'absent' ? 'not-found' : 'unit-refused', `reading ${request.what}: ${reason}`);
  }
  async function* compressed(): AsyncGenerator<Buffer> {
    try {
      let part: PushLog = first;
      const count = first.partsCount ?? 1;
      for (let expected = 1; ; expected++) {
        if (part.status !== 'ok' || part.part !== expected)
          throw new ApiError(
            'unit-refused',
            `reading ${request.what}: the unit sent part ${part.part ?? '?'} (${part.status}) where part ${expected} of ${count} was due`,
          );
        yield Buffer.from(part.content ?? '', 'base64');
        if (expected >= count) return;
        part = await parts.next(timeoutMs, timeout);
      }
    } finally {
      release();
    }
  }
  const text = new PassThrough();
  pipeline(Readable.from(compressed()), createGunzip(), text).catch((error: unknown) => text.destroy(error as Error));
  return text;
}

export function unitOffline(systemId: string, what: string): ApiError {
  return new ApiError(
    'unit-offline',
    `reading ${what}: unit ${systemId} is offline (not connected to the cloud); its logs can be read while it is connected — check it with aos unit show ${systemId}`,
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
