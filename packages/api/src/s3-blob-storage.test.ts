import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3BlobStorage } from './s3-blob-storage.js';
import { startTestS3Server, type TestS3Server } from './testing/s3-server.js';

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Chunks of 256 KiB, as a file or an upload arrives. */
function streamOf(bytes: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 256 * 1024)
    chunks.push(bytes.subarray(offset, offset + 256 * 1024));
  return Readable.from(chunks);
}

/** The names of the S3 calls a client makes (to see a multipart upload happen). */
function recordCommands(client: S3Client): string[] {
  const names: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      names.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize' },
  );
  return names;
}

async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key ?? '');
}

describe('S3 blob storage (against s3rver, a real S3-protocol server)', () => {
  let server: TestS3Server;
  beforeAll(async () => {
    server = await startTestS3Server({ prefix: 'cloud-a/' });
  });
  afterAll(async () => {
    await server.close();
  });

  // 5 MiB is S3's smallest part: a 12 MiB blob goes in three parts.
  const storage = () => createS3BlobStorage({ ...server.config, partSizeBytes: 5 * 1024 * 1024 });
  let commands: string[];
  let blobs: ReturnType<typeof storage>;
  beforeEach(() => {
    blobs = storage();
    commands = recordCommands(blobs.client);
  });

  it('stores a buffer under blobs/sha256/<hex> and reads it back verified', async () => {
    const bytes = Buffer.from('a small blob');
    const stored = await blobs.put(bytes);
    expect(stored).toEqual({ digest: digestOf(bytes), size: bytes.length });
    expect(await blobs.has(stored.digest)).toBe(true);
    expect(await blobs.sizeOf(stored.digest)).toBe(bytes.length);
    expect(await readAll(blobs.get(stored.digest))).toEqual(bytes);
    expect(await listKeys(blobs.client, server.config.bucket, 'cloud-a/blobs/')).toContain(
      `cloud-a/blobs/sha256/${stored.digest.slice(7)}`,
    );
  });

  it('sends a large blob as a multipart upload straight to its key, and serves byte ranges of it', async () => {
    const bytes = randomBytes(12 * 1024 * 1024 + 17);
    const digest = digestOf(bytes);
    const stored = await blobs.put(streamOf(bytes), { digest, size: bytes.length });
    expect(stored).toEqual({ digest, size: bytes.length });
    expect(commands.filter((name) => name === 'UploadPartCommand')).toHaveLength(3);
    expect(commands).toContain('CompleteMultipartUploadCommand');
    expect(commands).not.toContain('CopyObjectCommand');
    // (Compared by digest: toEqual on megabytes takes minutes.)
    expect(digestOf(await readAll(blobs.get(digest)))).toBe(digest);
    // A resumed download: the middle of the second part, and the last byte.
    expect(
      (await readAll(blobs.getRange(digest, 6_000_000, 6_000_099))).equals(bytes.subarray(6_000_000, 6_000_100)),
    ).toBe(true);
    const last = bytes.length - 1;
    expect(await readAll(blobs.getRange(digest, last, last))).toEqual(bytes.subarray(last));
  });

  it('refuses a stream that is not the announced blob, and leaves nothing under its name', async () => {
    const bytes = randomBytes(7 * 1024 * 1024);
    const claimed = digestOf(Buffer.from('something else'));
    await expect(blobs.put(streamOf(bytes), { digest: claimed })).rejects.toMatchObject({
      code: 'digest-mismatch',
      message: expect.stringMatching(/expected sha256:/),
    });
    expect(await blobs.has(claimed)).toBe(false);
    expect(commands).toContain('AbortMultipartUploadCommand');
    expect(commands).not.toContain('CompleteMultipartUploadCommand');
    // Too many bytes for the announced size: refused as soon as they pass it.
    const small = Buffer.from('twelve bytes');
    await expect(blobs.put(streamOf(small), { digest: digestOf(small), size: 5 })).rejects.toMatchObject({
      code: 'digest-mismatch',
      message: expect.stringMatching(/more data than the expected 5 bytes/),
    });
    expect(await blobs.has(digestOf(small))).toBe(false);
  });

  it('hashes a stream of unknown digest through a temporary object it then removes', async () => {
    const bytes = randomBytes(300 * 1024);
    const stored = await blobs.put(streamOf(bytes));
    expect(stored.digest).toBe(digestOf(bytes));
    expect(commands).toContain('CopyObjectCommand');
    expect(digestOf(await readAll(blobs.get(stored.digest)))).toBe(stored.digest);
    expect(await listKeys(blobs.client, server.config.bucket, 'cloud-a/tmp/')).toEqual([]);
  });

  it('skips the transfer of a blob it already holds', async () => {
    const bytes = Buffer.from('stored twice');
    const digest = digestOf(bytes);
    await blobs.put(streamOf(bytes), { digest, size: bytes.length });
    const before = commands.length;
    await blobs.put(streamOf(bytes), { digest, size: bytes.length });
    expect(commands.slice(before)).toEqual(['HeadObjectCommand']);
  });

  it('fails a read at its end when the stored bytes no longer match their name', async () => {
    const bytes = Buffer.from('original content');
    const { digest } = await blobs.put(bytes);
    await blobs.client.send(
      new PutObjectCommand({
        Bucket: server.config.bucket,
        Key: `cloud-a/blobs/sha256/${digest.slice(7)}`,
        Body: Buffer.from('tampered content'),
      }),
    );
    await expect(readAll(blobs.get(digest))).rejects.toMatchObject({
      code: 'digest-mismatch',
      message: expect.stringMatching(/now hashes to sha256:/),
    });
  });

  it('says a missing blob is missing, and refuses a malformed digest before any request', async () => {
    const missing = digestOf(Buffer.from('never stored'));
    expect(await blobs.has(missing)).toBe(false);
    expect(await blobs.sizeOf(missing)).toBeUndefined();
    await expect(readAll(blobs.get(missing))).rejects.toMatchObject({ code: 'not-found' });
    await blobs.remove(missing); // nothing to remove: no error
    const before = commands.length;
    expect(() => blobs.get('sha256:../../etc/passwd')).toThrow(/invalid digest/);
    await expect(blobs.put(Buffer.from('x'), { digest: 'md5:abc' })).rejects.toMatchObject({ code: 'invalid-digest' });
    expect(commands.length).toBe(before);
  });

  it('removes a blob, and lists what it holds', async () => {
    const bytes = Buffer.from('to be removed');
    const { digest } = await blobs.put(bytes);
    const listed: string[] = [];
    for await (const each of blobs.list()) listed.push(each);
    expect(listed).toContain(digest);
    await blobs.remove(digest);
    expect(await blobs.has(digest)).toBe(false);
  });

  it('removes temporary objects left before the idle time, and keeps newer ones', async () => {
    const put = (key: string) =>
      blobs.client.send(new PutObjectCommand({ Bucket: server.config.bucket, Key: key, Body: Buffer.from('left') }));
    await put('cloud-a/tmp/left-by-a-dead-process');
    const between = new Date(Date.now() + 1000);
    await blobs.removeStaleTemporaries(between);
    expect(await listKeys(blobs.client, server.config.bucket, 'cloud-a/tmp/')).toEqual([]);
    await put('cloud-a/tmp/being-written');
    await blobs.removeStaleTemporaries(new Date(Date.now() - 60_000));
    expect(await listKeys(blobs.client, server.config.bucket, 'cloud-a/tmp/')).toEqual(['cloud-a/tmp/being-written']);
  });

  it('names the bucket and what to check when the store cannot be reached', async () => {
    const config = { ...server.config, endpoint: 'http://127.0.0.1:1', bucket: 'nowhere' };
    const client = new S3Client({ ...config, credentials: server.config.credentials!, maxAttempts: 1 });
    const unreachable = createS3BlobStorage(config, client);
    await expect(unreachable.has(digestOf(Buffer.from('x')))).rejects.toThrow(
      /looking up blob sha256:[0-9a-f]{64} in s3:\/\/nowhere\/cloud-a\/: .*check OPENAOS_S3_ENDPOINT/,
    );
  });
});
