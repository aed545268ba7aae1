import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createTarWriter } from './create-tar-writer.js';

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
});
