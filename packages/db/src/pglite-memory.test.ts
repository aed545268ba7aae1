import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, PGLITE_SHARED_BUFFERS } from './client.js';
import { seedPgliteDataDir } from './throwaway-database.js';

const clientModule = join(dirname(fileURLToPath(import.meta.url)), 'client.ts');
const MiB = 1024 * 1024;

/**
 * Open a fresh embedded database (initdb, migrations) in a child Node with a GC at hand, and
 * report the memory outside the V8 heap (PGlite's wasm memory) and the RSS once collected.
 */
async function memoryOfFreshOpen(directory: string): Promise<{ external: number; rss: number }> {
  const script = join(directory, 'open.mts');
  await writeFile(
    script,
    `import { openDatabase } from ${JSON.stringify(clientModule)};
const handle = await openDatabase({ dataDir: ${JSON.stringify(join(directory, 'data'))} });
globalThis.gc(); globalThis.gc();
const { external, rss } = process.memoryUsage();
console.log(JSON.stringify({ external, rss }));
await handle.close();
`,
  );
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script],
      { cwd: dirname(clientModule) },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    ),
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as { external: number; rss: number };
}

describe('the embedded database (PGlite) memory', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'openaos-pglite-memory-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('runs with a 16 MB buffer cache', async () => {
    // The setting applies to every start: a copied empty database spares an initdb (the next test has one).
    await seedPgliteDataDir(join(directory, 'in-process'));
    const handle = await openDatabase({ dataDir: join(directory, 'in-process') });
    try {
      // The Database type is driver-neutral; PGlite's execute answers with `rows`.
      const shown = (await handle.db.execute(sql`show shared_buffers`)) as unknown as {
        rows: { shared_buffers: string }[];
      };
      expect(shown.rows[0]?.shared_buffers).toBe(PGLITE_SHARED_BUFFERS);
    } finally {
      await handle.close();
    }
  });

  // Before: initdb's wasm memory stayed with the first instance (about 570 MiB outside the heap on
  // a first start) and the 128 MB buffer cache grew PGlite's memory to about 200 MiB.
  it('holds no more than the wasm module floor and a little on a first start (initdb memory released)', async () => {
    const measured = await memoryOfFreshOpen(directory);
    expect(measured.external / MiB).toBeLessThan(160);
  }, 120_000);
});
