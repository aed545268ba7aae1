// examples/client-server and examples/sqlite on a local unit (real runc, networks, volumes), as
// their READMEs say. The images are built from the examples' own meta/config.yaml and src/.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../src/index.js';
import { createInstanceId } from '../src/index.js';
import { buildTestImage, createTestBed, reconcileUntil, type TestImage } from './helpers.js';
import { providerDesiredStatus } from './network-helpers.js';

const isRoot = process.getuid?.() === 0;
const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');
const SERVER = '5b0d5b3e-8c5a-4a6e-9f61-3f2a4f1c0a02';
const CLIENT = '5b0d5b3e-8c5a-4a6e-9f61-3f2a4f1c0a03';
/** The third service: the client's code without its allowedConnections. */
const THIRD = '5b0d5b3e-8c5a-4a6e-9f61-3f2a4f1c0a05';
const NOTES = '5b0d5b3e-8c5a-4a6e-9f61-3f2a4f1c0a04';

async function readExample(folder: string): Promise<{ yaml: string; files: Record<string, string> }> {
  const source = join(EXAMPLES, folder, 'src');
  const files: Record<string, string> = {};
  for (const entry of await readdir(source, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files[relative(source, path)] = await readFile(path, 'utf8');
    }
  return { yaml: await readFile(join(EXAMPLES, folder, 'meta', 'config.yaml'), 'utf8'), files };
}

async function waitForLog(agent: Agent, instanceId: string, pattern: RegExp, timeoutMs = 40_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(agent.logPath(instanceId), 'utf8').catch(() => '');
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in the log:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const isActive = (count: number) => (pass: { status: { instances: { status: string }[] } }) =>
  pass.status.instances.length === count && pass.status.instances.every((instance) => instance.status === 'active');

describe.skipIf(!isRoot).sequential('examples on a local unit', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  let agent: Agent;
  const images: Record<string, TestImage> = {};

  beforeAll(async () => {
    bed = await createTestBed('examples');
    const server = await readExample('client-server/server');
    const client = await readExample('client-server/client');
    const notes = await readExample('sqlite');
    // Shorter intervals than the examples' (seconds): the same code, a quicker test.
    const quick = (yaml: string) => yaml.replace('CLIENT_INTERVAL=5', 'CLIENT_INTERVAL=0.5');
    images.server = await buildTestImage(join(bed.root, 'server'), server.yaml, server.files);
    images.client = await buildTestImage(join(bed.root, 'client'), quick(client.yaml), client.files);
    images.third = await buildTestImage(
      join(bed.root, 'third'),
      quick(client.yaml)
        .replace(`service_uid: ${CLIENT}`, `service_uid: ${THIRD}`)
        .replace(/ {2}allowedConnections:\n {4}- .*\n/, ''),
      client.files,
    );
    const padded = (yaml: string, version: string) =>
      yaml
        .replace("version: '1.0.0'", `version: '${version}'`)
        // (The release in the env too: the image, and so its digest, must differ between versions.)
        .replace(
          'NOTES_INTERVAL=10',
          `NOTES_INTERVAL=0.05\n    - NOTES_PADDING=262144\n    - NOTES_RELEASE=${version}`,
        );
    images.notes1 = await buildTestImage(join(bed.root, 'notes1'), padded(notes.yaml, '1.0.0'), notes.files);
    images.notes2 = await buildTestImage(join(bed.root, 'notes2'), padded(notes.yaml, '1.0.1'), notes.files);
    agent = await bed.openAgent(process.env.DEBUG_AGENT ? { log: (m) => console.log(m) } : {});
  }, 120_000);

  afterAll(async () => {
    await bed?.cleanup();
  });

  it('client-server: the client reaches the server through allowedConnections; a third service is refused', async () => {
    // The server of one provider, the client and the third service of another: only the
    // client's allowedConnections opens the way (within one provider everything is open).
    await agent.acceptTarget(
      providerDesiredStatus([
        { id: SERVER, providerId: 'provider-server', image: images.server! },
        { id: CLIENT, providerId: 'provider-clients', image: images.client! },
        { id: THIRD, providerId: 'provider-clients', image: images.third! },
      ]),
    );
    await reconcileUntil(agent, isActive(3), 60_000);
    const clientLog = await waitForLog(
      agent,
      createInstanceId(CLIENT, 'subject-1', 0),
      /client: call #\d+ -> Hello from the OpenAos server \(served \d+, by /,
    );
    expect(clientLog).toContain('Hello from the OpenAos server');
    const thirdLog = await waitForLog(
      agent,
      createInstanceId(THIRD, 'subject-1', 0),
      /client: call #\d+ to http:\/\/echo-server:8080\/ failed: .*Connection refused/,
    );
    expect(thirdLog).not.toContain('Hello from the OpenAos server');
  }, 120_000);

  it('sqlite: rows written before an update are there after it; the database stops at its storage quota', async () => {
    await agent.acceptTarget(providerDesiredStatus([{ id: NOTES, providerId: 'p', image: images.notes1! }]));
    await reconcileUntil(agent, isActive(1), 60_000);
    const id = createInstanceId(NOTES, 'subject-1', 0);
    // 256 KiB rows into an 8 MB /storage: full after about 30 rows; the service goes on.
    const full = await waitForLog(
      agent,
      id,
      /notes: row not written: database or disk is full\nnotes: \d+ rows/,
      60_000,
    );
    const rowsAtFull = Number(/notes: row not written: database or disk is full\nnotes: (\d+) rows/.exec(full)![1]);
    // The database and its write-ahead log fill the 8 MB (WAL mode keeps up to ~4 MB of pages twice).
    expect(rowsAtFull).toBeGreaterThan(10);
    expect(rowsAtFull).toBeLessThan(31);
    const storage = join(bed.storageDir, 'storage', id);
    let used = 0;
    for (const name of await readdir(storage))
      if (name.startsWith('data.db')) used += (await stat(join(storage, name))).size;
    expect(used).toBeGreaterThan(8_000_000 * 0.9);
    expect(used).toBeLessThan(8_000_000 * 1.05);
    await agent.acceptTarget(
      providerDesiredStatus([{ id: NOTES, version: '1.0.1', providerId: 'p', image: images.notes2! }]),
    );
    await reconcileUntil(
      agent,
      (pass) => pass.status.instances[0]?.version === '1.0.1' && pass.status.instances[0]?.status === 'active',
      60_000,
    );
    // The new version opens the same database: every row is still there (and the disk still full).
    // The log goes on across the update: wait for the second start's first count.
    const after = await waitForLog(agent, id, /notes: database[^]*notes: database[^]*notes: \d+ rows/);
    const count = Number(/notes: (\d+) rows/.exec(after.slice(after.lastIndexOf('notes: database')))![1]);
    expect(count).toBeGreaterThanOrEqual(rowsAtFull);
  }, 180_000);
});
