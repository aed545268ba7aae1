import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ArchiveError } from './archive-error.js';
import { createTarWriter, type TarWriter } from './create-tar-writer.js';

describe('createTarWriter', () => {
  it('reports a body stream that fails while its header waits for the reader, and nothing escapes', async () => {
    const escaped: unknown[] = [];
    const record = (error: unknown): void => {
      escaped.push(error);
    };
    process.on('uncaughtException', record);
    try {
      // A 1 KiB buffer and a reader that has not started. The first entry fills the 64 KiB
      // batch but for one header, so the second header sends the batch and waits for the reader.
      const writer = createTarWriter({ highWaterMark: 1024 });
      const firstSize = 64 * 1024 - 1024;
      await writer.add({ name: 'first', type: 'file', size: firstSize, mode: 0o644, body: Buffer.alloc(firstSize) });
      const body = new Readable({ read() {} });
      const adding = writer.add({ name: 'second', type: 'file', size: 10, mode: 0o644, body });
      body.destroy(new Error('the file went away'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      // The reader starts: the header goes out, then the body is read and its error reported by
      // add(); the broken archive stream fails its reader too.
      const reading = pipeline(writer.stream, new Writable({ write: (_chunk, _encoding, done) => done() }));
      await expect(adding).rejects.toThrow('the file went away');
      await expect(reading).rejects.toThrow('the file went away');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(escaped).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
  });

  it('writes the same bytes with addSync as with add, batches or not, and waits only when the reader is behind', async () => {
    const contents = Array.from({ length: 300 }, (_, index) => Buffer.alloc(index * 97 + 1, index % 251));
    async function write(useSync: boolean): Promise<Buffer> {
      const writer = createTarWriter({ highWaterMark: 4096 });
      const chunks: Buffer[] = [];
      const reading = pipeline(
        writer.stream,
        new Writable({
          write: (chunk: Buffer, _encoding, done) => {
            chunks.push(Buffer.from(chunk));
            setImmediate(done);
          },
        }),
      );
      await addAll(writer, contents, useSync);
      writer.finish();
      await reading;
      return Buffer.concat(chunks);
    }
    const viaAdd = await write(false);
    const viaSync = await write(true);
    expect(viaSync.equals(viaAdd)).toBe(true);
  });

  it('reports a file that shrank under addSync as file-changed and fails the stream', async () => {
    const writer = createTarWriter();
    const reading = pipeline(writer.stream, new Writable({ write: (_chunk, _encoding, done) => done() }));
    expect(() => writer.addSync({ name: 'shrunk', type: 'file', size: 10, mode: 0o644 }, () => 4)).toThrow(
      expect.objectContaining({ code: 'file-changed', entry: 'shrunk' }) as ArchiveError,
    );
    await expect(reading).rejects.toThrow('expected 10 bytes of content, got 4');
  });
});

async function addAll(writer: TarWriter, contents: Buffer[], useSync: boolean): Promise<void> {
  await writer.add({ name: 'dir', type: 'directory', size: 0, mode: 0o755 });
  for (const [index, content] of contents.entries()) {
    const entry = { name: `dir/file-${index}`, type: 'file' as const, size: content.length, mode: 0o644 };
    if (useSync) await writer.addSync(entry, (target) => content.copy(target));
    else await writer.add({ ...entry, body: content });
  }
  const link = { name: 'dir/link', type: 'symlink' as const, size: 0, mode: 0o777, linkname: 'file-1' };
  if (useSync) await writer.addSync(link);
  else await writer.add(link);
}
