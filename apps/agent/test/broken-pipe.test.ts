import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

describe('aos-agent output into a closed pipe', () => {
  let storageDir: string;
  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'openaos-agent-pipe-'));
    await mkdir(join(storageDir, 'agent'));
    // More than a pipe buffer (64 KiB) of status, so the reader is gone before the write ends.
    const services = Array.from({ length: 3000 }, (_, index) => ({
      id: `service-${index}`,
      version: '1.0.0',
      status: 'installed',
    }));
    await writeFile(
      join(storageDir, 'agent', 'status.json'),
      JSON.stringify({ messageType: 'unitStatus', isDeltaInfo: false, nodes: [], services, instances: [] }),
    );
  });
  afterAll(async () => {
    await rm(storageDir, { recursive: true, force: true });
  });

  it.each([[['status']], [['status', '--json']]])('%j | head -1 exits quietly', async (args) => {
    const command = `node --conditions=source --import tsx apps/agent/src/main.ts ${args.join(' ')} --storage-dir ${storageDir} | head -1; echo "agent-exit=\${PIPESTATUS[0]}" >&2`;
    const result = await execa('bash', ['-c', command], { cwd: REPO_ROOT, reject: false });
    expect(result.stdout.split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(result.stderr).toContain('agent-exit=0');
  });
});
