/**
 * One blob from the cloud (docs/unit-channel.md "Blobs"): `GET <url>` with a fresh `AosCert` proof
 * per request (bound to the URL's path), into `<downloads>/partial/<hex>`; an interrupted download
 * keeps its bytes and resumes with `Range: bytes=<n>-` (206 + Content-Range appends, a 200 starts
 * over). The whole file is hashed before it is renamed to `<downloads>/blobs/sha256/<hex>`, so
 * nothing unverified is ever visible there; a mismatch deletes the partial file and is final.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AgentError } from '../errors.js';

export type DownloadState = 'started' | 'paused' | 'interrupted' | 'finished';

export interface DownloadProgress {
  digest: string;
  url: string;
  downloadedBytes: number;
  totalBytes: number;
  state: DownloadState;
  reason?: string;
}

export interface BlobToDownload {
  /** `sha256:<hex>`. */
  digest: string;
  size: number;
  urls: string[];
}

export interface DownloadOptions {
  /** The link's downloads directory (StoragePaths.downloads). */
  directory: string;
  /**
   * The `Authorization` header value for one GET of `url` (a fresh AosCert proof each time), or
   * undefined to send none (a URL outside the cloud).
   */
  authorize(url: URL): string | undefined;
  /** Progress: `started` (and updates), `interrupted` with the reason, `finished`. Throttling is the caller's. */
  onProgress?(progress: DownloadProgress): void;
  /** Resumes after an interruption, per URL (default 5). */
  maxResumes?: number;
  /** No byte for this long ends the request as interrupted (default 60 s). */
  idleTimeoutMs?: number;
}

/** Where a verified download and its partial file live. */
export function downloadPaths(directory: string, digest: string): { blob: string; partial: string } {
  const hex = digest.replace(/^sha256:/, '');
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new AgentError('download-failed', `downloading: ${digest} is not a sha256 digest`);
  return { blob: join(directory, 'blobs', 'sha256', hex), partial: join(directory, 'partial', hex) };
}

async function fileSize(path: string): Promise<number> {
  return stat(path).then(
    (info) => info.size,
    () => 0,
  );
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return `sha256:${hash.digest('hex')}`;
}

/** A refusal that another try of the same URL cannot change (4xx but 408/429, a wrong range). */
class FinalAnswer extends Error {}

function get(url: URL, headers: Record<string, string>, idleTimeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: 'GET', headers }, resolve);
    request.setTimeout(idleTimeoutMs, () => request.destroy(new Error(`no data for ${idleTimeoutMs / 1000} s`)));
    request.on('error', reject);
    request.end();
  });
}

/**
 * One request: append to the partial file from `offset` (or start over on a 200). Resolves when
 * the response ended; rejects when it broke off (the bytes written so far stay) or was refused.
 */
async function fetchInto(
  url: URL,
  partial: string,
  blob: BlobToDownload,
  options: DownloadOptions,
  report: (downloaded: number) => void,
): Promise<void> {
  const offset = await fileSize(partial);
  const headers: Record<string, string> = {};
  const authorization = options.authorize(url);
  if (authorization !== undefined) headers.Authorization = authorization;
  if (offset > 0) headers.Range = `bytes=${offset}-`;
  const response = await get(url, headers, options.idleTimeoutMs ?? 60_000);
  const status = response.statusCode ?? 0;
  let start = 0;
  if (status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers['content-range'] ?? '');
    if (!range || Number(range[1]) !== offset) {
      response.resume();
      await rm(partial, { force: true });
      throw new Error(
        `HTTP 206 with Content-Range ${JSON.stringify(response.headers['content-range'])} for bytes=${offset}-; starting over`,
      );
    }
    start = offset;
  } else if (status === 416 && offset > 0) {
    response.resume();
    await rm(partial, { force: true });
    throw new Error(`HTTP 416 for bytes=${offset}- (the partial file is longer than the blob); starting over`);
  } else if (status !== 200) {
    response.resume();
    const text = `HTTP ${status}`;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) throw new FinalAnswer(text);
    throw new Error(text);
  }
  let downloaded = start;
  const file = createWriteStream(partial, start === 0 ? { flags: 'w' } : { flags: 'a' });
  response.on('data', (chunk: Buffer) => {
    downloaded += chunk.length;
    if (downloaded > blob.size) response.destroy(new FinalAnswer(`more than the ${blob.size} bytes announced`));
    else report(downloaded);
  });
  // Not pipeline(): when the response breaks off, every byte received must still reach the file
  // (pipeline would destroy it with writes pending), so that the next request resumes after them.
  await new Promise<void>((resolve, reject) => {
    let failure: Error | undefined;
    const endFile = () => {
      if (!file.writableEnded) file.end();
    };
    response.on('error', (error) => {
      failure ??= error;
      endFile();
    });
    response.on('close', () => {
      if (!response.complete) failure ??= new Error('the response ended early');
      endFile();
    });
    file.on('error', (error) => {
      response.destroy();
      reject(failure ?? error);
    });
    file.on('finish', () => (failure ? reject(failure) : resolve()));
    response.pipe(file);
  });
}

/**
 * Make sure `<downloads>/blobs/sha256/<hex>` holds the blob, verified; returns its path. Tries each
 * URL in turn, resuming an interrupted transfer up to `maxResumes` times per URL.
 */
export async function downloadBlob(blob: BlobToDownload, options: DownloadOptions): Promise<string> {
  const paths = downloadPaths(options.directory, blob.digest);
  if ((await fileSize(paths.blob)) === blob.size && blob.size > 0) return paths.blob;
  await mkdir(join(options.directory, 'partial'), { recursive: true });
  await mkdir(join(options.directory, 'blobs', 'sha256'), { recursive: true });
  const problems: string[] = [];
  for (const href of blob.urls) {
    const url = new URL(href);
    const progress = (state: DownloadState, downloadedBytes: number, reason?: string) =>
      options.onProgress?.({
        digest: blob.digest,
        url: href,
        downloadedBytes,
        totalBytes: blob.size,
        state,
        ...(reason ? { reason } : {}),
      });
    progress('started', await fileSize(paths.partial));
    for (let attempt = 0; attempt <= (options.maxResumes ?? 5); attempt += 1) {
      try {
        if ((await fileSize(paths.partial)) < blob.size || blob.size === 0)
          await fetchInto(url, paths.partial, blob, options, (bytes) => progress('started', bytes));
        const size = await fileSize(paths.partial);
        if (size !== blob.size) throw new Error(`got ${size} of ${blob.size} bytes`);
        const digest = await hashFile(paths.partial);
        if (digest !== blob.digest) {
          await rm(paths.partial, { force: true });
          progress('interrupted', 0, 'content does not match its digest');
          throw new AgentError(
            'download-failed',
            `downloading ${blob.digest} from ${href}: content does not match its digest (got ${digest}); the blob was refused`,
          );
        }
        await rename(paths.partial, paths.blob);
        progress('finished', blob.size);
        return paths.blob;
      } catch (error) {
        if (error instanceof AgentError) throw error;
        const reason = (error as Error).message;
        progress('interrupted', await fileSize(paths.partial), reason);
        if (error instanceof FinalAnswer) {
          await rm(paths.partial, { force: true });
          problems.push(`${href}: ${reason}`);
          break;
        }
        if (attempt === (options.maxResumes ?? 5)) problems.push(`${href}: ${reason}`);
      }
    }
  }
  throw new AgentError(
    'download-failed',
    blob.urls.length === 0
      ? `downloading ${blob.digest}: the cloud gave no URL`
      : `downloading ${blob.digest}: ${problems.join('; ')}`,
  );
}
