import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServiceConfig } from './load-service-config.js';

const directory = mkdtempSync(join(tmpdir(), 'openaos-config-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('loadServiceConfig', () => {
  it('reads and parses a file, naming it in problems', async () => {
    const path = join(directory, 'config.yaml');
    writeFileSync(path, 'build: {}\npublish: {}\nconfiguration:\n  quotas: {mem: 1kB}\n');
    await expect(loadServiceConfig(path)).rejects.toMatchObject({
      code: 'invalid-config',
      file: path,
      problems: [{ file: path, line: 4, column: 17, path: 'configuration.quotas.mem' }],
    });
    writeFileSync(path, 'build: {}\npublish: {}\nconfiguration: {cmd: /bin/true}\n');
    await expect(loadServiceConfig(path)).resolves.toMatchObject({ configuration: { cmd: '/bin/true' } });
    await expect(loadServiceConfig(path, { forSigning: true })).rejects.toMatchObject({ code: 'invalid-config' });
  });

  it('says when the file is missing and what to do', async () => {
    await expect(loadServiceConfig(join(directory, 'missing.yaml'))).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/aos init/),
    });
  });

  it('refuses a huge file without reading it', async () => {
    const path = join(directory, 'huge.yaml');
    writeFileSync(path, Buffer.alloc(10 * 1024 * 1024, 0x20));
    await expect(loadServiceConfig(path)).rejects.toMatchObject({ code: 'unsafe-yaml' });
  });

  it('reports a directory as unreadable', async () => {
    await expect(loadServiceConfig(directory)).rejects.toMatchObject({ code: 'unreadable' });
  });
});
