import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { isUploadPath } from '@openaos/protocol';
import type { CloudDependencies } from '../dependencies.js';
import { uploadServiceVersion } from '../domain/upload.js';
import { ApiError } from '../errors.js';
import { HTTP_STATUS_OF } from '../trpc/error-codes.js';
import { authenticateRequest } from './authenticate-request.js';
import { cloudMetrics, timeWork } from '../metrics/cloud-metrics.js';

/** True for the requests {@link handleUploadRequest} serves: aos-signer 1.x's upload path (reference §2.7). */
export function isUploadRequest(request: IncomingMessage): boolean {
  return isUploadPath((request.url ?? '').split('?')[0] ?? '');
}

interface ReceivedUpload {
  fields: Record<string, string>;
  file?: { path: string; size: number };
  isTooLarge: boolean;
}

/**
 * `POST /api/v1/services/versions/` — multipart fields `service`, `version`, `file` (and
 * aos-signer's `package_version`, ignored). The file is streamed to a temp file with a size
 * limit (Next's `request.formData()` would buffer it whole), then handed to
 * {@link uploadServiceVersion}. Answers 201 `{id, version, state}`; errors are a JSON dict
 * `{code, message, ...}` with the status of the domain code. The temp file is always removed.
 */
export async function handleUploadRequest(
  deps: CloudDependencies,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { status, body } = await timeWork(
    cloudMetrics.uploadSeconds,
    () => processUpload(deps, request, response),
    ({ value }) => ({ status: `${Math.floor((value?.status ?? 500) / 100)}xx` }),
  );
  sendJson(response, status, body);
}

/** Everything but the reply, so the temp file is gone before the client hears back. */
async function processUpload(
  deps: CloudDependencies,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const path = (request.url ?? '').split('?')[0] ?? '';
  let received: ReceivedUpload | undefined;
  try {
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      throw new HttpProblem(405, 'method-not-allowed', `${request.method} ${path}: only POST uploads a package`);
    }
    const { actor } = await authenticateRequest(deps, {
      authorization: request.headers.authorization,
      cookie: request.headers.cookie,
      method: request.method,
      path,
    });
    if (!actor)
      throw new ApiError(
        'unauthenticated',
        'uploading a package: send an Authorization: AosCert token made with your credential (aos upload does), or sign in to the console',
      );
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > deps.maxUploadBytes + 1024 * 1024) {
      // Do not read a body we will refuse; close the connection after replying.
      response.setHeader('Connection', 'close');
      throw new ApiError(
        'payload-too-large',
        `uploading a package: the request has ${declared} bytes; the limit is ${deps.maxUploadBytes}`,
      );
    }
    if (!(request.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      throw new HttpProblem(
        415,
        'unsupported-media-type',
        'uploading a package: send multipart/form-data with the fields service, version and file',
      );
    }
    received = await receiveMultipart(deps, request);
    if (received.isTooLarge)
      throw new ApiError(
        'payload-too-large',
        `uploading a package: it is larger than the limit of ${deps.maxUploadBytes} bytes`,
      );
    const serviceId = received.fields.service?.trim();
    const version = received.fields.version?.trim();
    const file = received.file;
    if (!serviceId || !version || !file) {
      const missing = [!serviceId && 'service', !version && 'version', !file && 'file'].filter(Boolean);
      throw new ApiError('invalid-input', `uploading a package: missing multipart field(s) ${missing.join(', ')}`);
    }
    const result = await uploadServiceVersion(deps, actor, {
      serviceId,
      version,
      packagePath: file.path,
      packageSize: file.size,
    });
    if (result.state === 'ready')
      return { status: 201, body: { id: result.id, version: result.version, state: result.state } };
    return {
      status: HTTP_STATUS_OF['image-build-failed'],
      body: {
        code: 'image-build-failed',
        message: result.failureReason ?? 'building the image failed',
        id: result.id,
        version: result.version,
        state: result.state,
      },
    };
  } catch (error) {
    if (error instanceof HttpProblem)
      return { status: error.status, body: { code: error.code, message: error.message } };
    if (error instanceof ApiError)
      return {
        status: HTTP_STATUS_OF[error.code],
        body: { code: error.code, message: error.message, ...(error.details ?? {}) },
      };
    console.error('upload failed unexpectedly', error);
    return { status: 500, body: { code: 'internal', message: `uploading a package: ${(error as Error).message}` } };
  } finally {
    if (received?.file) await rm(received.file.path, { force: true });
  }
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function receiveMultipart(deps: CloudDependencies, request: IncomingMessage): Promise<ReceivedUpload> {
  const directory = deps.tempDirectory;
  await mkdir(directory, { recursive: true });
  const received: ReceivedUpload = { fields: {}, isTooLarge: false };
  const writes: Promise<void>[] = [];
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: request.headers,
      limits: { files: 1, fields: 16, fieldSize: 4096, fileSize: deps.maxUploadBytes },
    });
  } catch (error) {
    throw new HttpProblem(400, 'bad-multipart', `uploading a package: ${(error as Error).message}`);
  }
  parser.on('field', (name, value) => {
    received.fields[name] = value;
  });
  parser.on('file', (name, stream) => {
    if (name !== 'file' || received.file) {
      stream.resume();
      return;
    }
    const path = join(directory, `upload-${randomBytes(12).toString('hex')}.tar.gz`);
    const file = { path, size: 0 };
    received.file = file;
    stream.on('data', (chunk: Buffer) => {
      file.size += chunk.length;
    });
    stream.on('limit', () => {
      received.isTooLarge = true;
    });
    const write = pipeline(stream, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    // Handled here too: when the body breaks off, the parser's error is reported, not this one.
    write.catch(() => undefined);
    writes.push(write);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      parser.on('close', resolve);
      parser.on('error', reject);
      request.on('error', reject);
      // A client that goes away mid-upload must not leave a half-written file or a hung parser.
      request.on('aborted', () => reject(new Error('the client closed the connection before the upload finished')));
      request.pipe(parser);
    });
    await Promise.all(writes);
  } catch (error) {
    request.unpipe(parser);
    parser.destroy();
    if (received.file) await rm(received.file.path, { force: true });
    throw new HttpProblem(
      400,
      'bad-multipart',
      `uploading a package: reading the multipart body failed (${(error as Error).message})`,
    );
  }
  return received;
}

function sendJson(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (response.headersSent) return;
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(body));
}
