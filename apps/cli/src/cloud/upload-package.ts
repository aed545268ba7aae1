import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename } from 'node:path';
import type { Credential } from '@openaos/pki';
import { CLOUD_HTTP_PATHS, createCertificateToken, formatCertificateAuthorization } from '@openaos/protocol';
import { CliError } from '../errors.js';
import { hintForStatus } from './cloud-client.js';

export interface UploadPackageOptions {
  url: string;
  credential: Credential;
  /** Service ID (publish.service_uid). */
  serviceId: string;
  /** publish.version. */
  version: string;
  packagePath: string;
  /** Bytes of the package sent so far, and the total. */
  onProgress?: (sent: number, total: number) => void;
}

export interface UploadedVersion {
  id: string;
  version: string;
  state: string;
}

function escapeQuoted(value: string): string {
  return value.replace(/["\\\r\n]/g, '_');
}

/**
 * POST the package as multipart/form-data with the fields aos-signer 1.x sends (`service`,
 * `version`, `package_version`, `file`), streaming the file with a Content-Length so the cloud
 * can refuse an oversized body early and progress counts real bytes handed to the socket.
 * Resolves on 201; any other answer throws CliError with the cloud's code and message.
 */
export async function uploadPackage(options: UploadPackageOptions): Promise<UploadedVersion> {
  const action = `uploading ${basename(options.packagePath)} to ${options.url}`;
  const size = (await stat(options.packagePath)).size;
  const boundary = `----openaos-${randomBytes(12).toString('hex')}`;
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    field('service', options.serviceId) +
      field('version', options.version) +
      field('package_version', '2') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${escapeQuoted(basename(options.packagePath))}"\r\nContent-Type: application/gzip\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const target = new URL(`${options.url}${CLOUD_HTTP_PATHS.upload}`);
  const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + size + tail.length),
      authorization: formatCertificateAuthorization(
        createCertificateToken(options.credential, { method: 'POST', path: target.pathname }),
      ),
      accept: 'application/json',
    },
  });

  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  // The cloud may answer (401, 413...) before it has read the body; then stop sending.
  let answered = false;
  void response.then(
    () => (answered = true),
    () => (answered = true),
  );
  const send = async (): Promise<void> => {
    request.write(head);
    let sent = 0;
    options.onProgress?.(0, size);
    for await (const chunk of createReadStream(options.packagePath)) {
      if (answered) break;
      const buffer = chunk as Buffer;
      if (!request.write(buffer)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            request.off('drain', done);
            request.off('close', done);
            resolve();
          };
          request.on('drain', done);
          request.on('close', done);
        });
      }
      sent += buffer.length;
      options.onProgress?.(sent, size);
    }
    request.end(answered ? undefined : tail);
  };

  let incoming: IncomingMessage;
  try {
    [, incoming] = await Promise.all([send(), response]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError('failed', action, `cannot reach the cloud: ${code ?? (error as Error).message}`, {
      cause: error,
      hint: 'check the address (`aos login --url <cloud URL>`) and that the cloud is running',
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { message: text.slice(0, 500) };
  }
  const status = incoming.statusCode ?? 0;
  if (status === 201) {
    return {
      id: String(body.id ?? ''),
      version: String(body.version ?? options.version),
      state: String(body.state ?? ''),
    };
  }
  const code = typeof body.code === 'string' ? body.code : `http-${status}`;
  const message = typeof body.message === 'string' ? body.message : `HTTP ${status}`;
  const problems = Array.isArray(body.problems) ? (body.problems as CliError['problems']) : [];
  throw new CliError('failed', action, `${message} (${code}, HTTP ${status})`, {
    problems,
    hint:
      hintForStatus(status) ??
      (code === 'service-mismatch'
        ? 'publish.service_uid and publish.version of the signed config must match; sign again'
        : undefined),
  });
}
