import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listLogGenerations } from './log-files.js';
import { AgentLogFile } from './agent-log-file.js';

describe('the agent’s log file', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openaos-agent-log-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each message with its time first, indents continuation lines, and rotates by rename', async () => {
    const path = join(dir, 'agent', 'agent.log');
    const file = new AgentLogFile(path, { maxBytes: 100, files: 3 });
    const at = new Date('2026-12-05T01:00:00.000Z');
    file.write('first\nsecond part', at);
    expect(await readFile(path, 'utf8')).toBe('2026-12-05T01:00:00.000Z first\n  second part\n');
    for (let index = 0; index < 10; index++) file.write(`message ${index}`, at);
    expect((await readdir(join(dir, 'agent'))).sort()).toEqual(['agent.log', 'agent.log.1', 'agent.log.2']);
    // Oldest first, nothing over the cap, the newest message last.
    const files = await listLogGenerations(path);
    const text = (await Promise.all(files.map((entry) => readFile(entry.path, 'utf8')))).join('');
    for (const entry of files) expect(entry.size).toBeLessThanOrEqual(100);
    expect(text.trimEnd().split('\n').at(-1)).toBe('2026-12-05T01:00:00.000Z message 9');
    // A file reopened continues at its size.
    new AgentLogFile(path, { maxBytes: 100, files: 3 }).write('after a restart', at);
    expect(await readFile(path, 'utf8')).toContain('after a restart');
  });
});
