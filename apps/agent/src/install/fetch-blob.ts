import { createReadStream } from 'node:fs';
import { join, isAbsolute } from 'node:path';
import { pipeline, Readable, Transform } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ImageError, type BlobStore } from '@openaos/image';
import { AgentError } from '../errors.js';

function blobLocation(base: string, hex: string): { kind: 'http'; url: string } | { kind: 'file'; path: string } {
  if (/^https?:\/\//.test(base)) return { kind: 'http', url: `${base.replace(/\/+$/, '')}/blobs/sha256/${hex}` };
  const directory = base.startsWith('file:') ? fileURLToPath(base) : base;
  if (!isAbsolute(directory))
    throw new AgentError(
      'fetch-failed',
      `fetching blob: source ${base} is neither an http(s) URL nor an absolute directory`,
    );
  return { kind: 'file', path: join(directory, 'blobs', 'sha256', hex) };
}

async function openSource(location: ReturnType<typeof blobLocation>): Promise<Readable> {
  if (location.kind === 'file') return createReadStream(location.path);
  const response = await fetch(location.url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok || !response.body)
    throw new AgentError('fetch-failed', `GET ${location.url}: HTTP ${response.status}`);
  return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
}

/** Fail a stream that passes `maxBytes` (a source announcing no size must not fill the disk). */
function limitBytes(maxBytes: number, what: string): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > maxBytes)
        callback(new AgentError('fetch-failed', `fetching ${what}: more than ${maxBytes} bytes; refused`));
      else callback(null, chunk);
    },
  });
}

/**
 * Make sure the store holds `digest`, trying each source in turn. BlobStore.put checks the
 * digest (and size) before the blob becomes visible, so a tampered or truncated blob is never
 * stored; a digest mismatch is final (another mirror would not make the content right).
 */
export async function ensureBlob(
  store: BlobStore,
  digest: string,
  sources: string[],
  size?: number,
  options: { maxBytes?: number } = {},
): Promise<void> {
  if (await store.has(digest)) return;
  const hex = digest.replace(/^sha256:/, '');
  const problems: string[] = [];
  for (const source of sources) {
    try {
      const opened = await openSource(blobLocation(source, hex));
      // pipeline(): a refusal by the limit destroys the source too (the download is dropped), and
      // store.put, reading the last stage, reports whichever error came first.
      const stream =
        size === undefined && options.maxBytes !== undefined
          ? pipeline(opened, limitBytes(options.maxBytes, digest), () => {})
          : opened;
      await store.put(stream, { digest, ...(size !== undefined ? { size } : {}) });
      return;
    } catch (error) {
      if (error instanceof ImageError && error.code === 'digest-mismatch') {
        throw new AgentError(
          'fetch-failed',
          `fetching ${digest} from ${source}: content does not match its digest; the blob was refused`,
          { cause: error },
        );
      }
      problems.push(`${source}: ${(error as Error).message}`);
    }
  }
  throw new AgentError(
    'fetch-failed',
    sources.length === 0
      ? `fetching ${digest}: not in the local store and the desired status gives no urls`
      : `fetching ${digest}: ${problems.join('; ')}`,
  );
}
