import { open, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rotateLog } from './rotate-log.js';

describe('rotateLog', () => {
  let dir = '';
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('copy-truncates past the cap, keeps N files, and an O_APPEND writer carries on at the new end', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rotate-'));
    const path = join(dir, 'current.log');
    const writer = await open(path, 'a');
    const limits = { maxBytes: 100, files: 3 };
    for (let round = 0; round < 4; round += 1) {
      await writer.write(`${String(round).repeat(150)}\n`);
      expect(await rotateLog(path, limits)).toBe(true);
    }
    await writer.write('after\n');
    expect(await readFile(path, 'utf8')).toBe('after\n');
    expect((await readFile(`${path}.1`, 'utf8')).startsWith('333')).toBe(true);
    expect((await readFile(`${path}.2`, 'utf8')).startsWith('222')).toBe(true);
    await expect(stat(`${path}.3`)).rejects.toThrow();
    expect(await rotateLog(path, limits)).toBe(false);
    await writer.close();
  });
});
