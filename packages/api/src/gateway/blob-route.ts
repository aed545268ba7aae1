import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import type { CloudDependencies } from '../dependencies.js';
import { UnitAccessError } from '../domain/provisioning/unit-access-error.js';
import { authenticateUnit } from './authenticate-unit.js';
import type { BlobAccess } from './blob-access.js';
import { sendHttpRefusal, toRefusal } from './refusal.js';

/** Whether a request is for the unit blob route (`GET /api/v7/blobs/sha256/<hex>`). */
export function isUnitBlobRequest(request: IncomingMessage): boolean {
  return (request.url ?? '').startsWith(CLOUD_HTTP_PATHS.unitBlobs);
}

type ByteRange = { start: number; end: number } | 'unsatisfiable' | undefined;

/**
 * Serve one blob to a unit: an `AosCert` proof per request (the same checks as the channel), only
 * blobs of the unit's current desired items (anything else: 404, so the answer does not tell
 * whether a digest exists), `Range: bytes=<a>-[<b>]` or `bytes=-<n>` answered with 206 and
 * `Content-Range`, an unsatisfiable or malformed range with 416. Never throws.
 */
export async function handleUnitBlobRequest(
  deps: CloudDependencies,
  access: BlobAccess,
  request: IncomingMessage,
  response: ServerResponse,
  log: (message: string) => void,
): Promise<void> {
  try {
    const path = new URL(request.url ?? '/', 'http://unit.invalid').pathname;
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      sendHttpRefusal(
        response,
        405,
        { code: 'method-not-allowed', message: `${method} ${path}: use GET` },
        { Allow: 'GET, HEAD' },
      );
      return;
    }
    const unit = await authenticateUnit(deps, request.headers.authorization, { method, path });
    const hex = path.slice(CLOUD_HTTP_PATHS.unitBlobs.length);
    const digest = `sha256:${hex}`;
    const notFound = new UnitAccessError(
      'not-found',
      `blob ${digest}: not among the blobs of unit ${unit.systemId}'s desired items`,
    );
    if (!/^[0-9a-f]{64}$/.test(hex) || !(await access.allowedDigests(unit.id)).has(digest)) throw notFound;
    const size = await deps.blobs.sizeOf(digest);
    if (size === undefined) throw notFound;
    const range = readRange(request.headers.range, size);
    const common = {
      'Content-Type': 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      ETag: `"${digest}"`,
      'Cache-Control': 'private, max-age=31536000, immutable',
    };
    if (range === 'unsatisfiable') {
      sendHttpRefusal(
        response,
        416,
        {
          code: 'bad-range',
          message: `blob ${digest} has ${size} bytes; ask for one range "bytes=<first>-[<last>]" inside it`,
        },
        { 'Content-Range': `bytes */${size}` },
      );
      return;
    }
    if (range === undefined) {
      response.writeHead(200, { ...common, 'Content-Length': size });
      if (method === 'HEAD') return void response.end();
      await pipeline(deps.blobs.get(digest), response);
      return;
    }
    response.writeHead(206, {
      ...common,
      'Content-Length': range.end - range.start + 1,
      'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
    });
    if (method === 'HEAD') return void response.end();
    await pipeline(deps.blobs.getRange(digest, range.start, range.end), response);
  } catch (error) {
    // A unit that goes away mid-download (it resumes later with Range) is no problem of the cloud's.
    const isAbort = (error as NodeJS.ErrnoException | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
    if (!(error instanceof UnitAccessError) && !isAbort) {
      log(`serving a unit blob ${request.url ?? ''}: ${describe(error)}`);
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const refusal = toRefusal(error);
    sendHttpRefusal(response, refusal.status, refusal.body);
  }
}

/** One byte range of the `Range` header, undefined when absent (the whole blob). */
export function readRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'unsatisfiable';
  const [, first = '', last = ''] = match;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
