import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../src/index.js';
import { createInstanceId, listLogFiles } from '../src/index.js';
import {
  buildTestImage,
  createTestBed,
  desiredStatus,
  reconcileUntil,
  SERVICE_A,
  SUBJECT,
  serviceYaml,
} from './helpers.js';

const isRoot = process.getuid?.() === 0;
const BURSTS = 40;
const LINES_PER_BURST = 1000;
/** Small files and enough of them to keep everything: every line can be counted. */
const LOG_LIMITS = { maxBytes: 16 * 1024, files: 100 };

/** Numbered lines, written one write(2) each, in bursts; then "done" and it keeps running (no restart rewrites them). */
const WRITER = `import os, sys, time
n = 0
for burst in range(${BURSTS}):
    for _ in range(${LINES_PER_BURST}):
        os.write(1, b"line %07d\\n" % n)
        n += 1
    time.sleep(0.02)
os.write(1, b"done\\n")
time.sleep(3600)
`;

/** Every log file of the instance, oldest first, as one text. */
async function readAllLogs(log: string): Promise<string> {
  const parts = await Promise.all((await listLogFiles(log)).map((path) => readFile(path, 'utf8')));
  return parts.join('');
}

describe.skipIf(!isRoot).sequential('instance logs through rotations and agent restarts', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  beforeAll(async () => {
    bed = await createTestBed('logs');
  });
  afterAll(async () => {
    await bed?.cleanup();
  });

  it('keeps every line of a fast writer, once and in order, across many rotations and two agent restarts', async () => {
    const image = await buildTestImage(
      bed.root,
      serviceYaml({ uid: SERVICE_A, version: '1.0.0', cmd: 'python3 /srv/app/writer.py' }),
      { 'srv/app/writer.py': WRITER },
    );
    let agent: Agent = await bed.openAgent({ logLimits: LOG_LIMITS });
    await agent.acceptTarget(desiredStatus([{ id: SERVICE_A, version: '1.0.0', image }]));
    await reconcileUntil(agent, (pass) => pass.status.instances[0]?.status === 'active');
    const log = agent.logPath(createInstanceId(SERVICE_A, SUBJECT, 0));
    const isDone = async () => (await readAllLogs(log).catch(() => '')).endsWith('done\n');

    // Restart the agent twice while the container writes; reconcile between, as the daemon does.
    let restarts = 0;
    for (let round = 0; round < 2000 && !(await isDone()); round += 1) {
      await agent.reconcileOnce();
      if (round % 20 === 10 && restarts < 2) {
        agent.stop();
        agent = await bed.openAgent({ logLimits: LOG_LIMITS });
        restarts += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await agent.reconcileOnce();
    expect(restarts).toBe(2);
    expect(await isDone()).toBe(true);

    const lines = (await readAllLogs(log)).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.pop()).toBe('done');
    const numbers = lines.map((line) => Number(/^line (\d{7})$/.exec(line)?.[1] ?? Number.NaN));
    const expected = Array.from({ length: BURSTS * LINES_PER_BURST }, (_unused, index) => index);
    // Report the first gap or duplicate rather than a 40 000-line diff.
    const firstWrong = numbers.findIndex((value, index) => value !== index);
    const around = firstWrong < 0 ? [] : numbers.slice(Math.max(0, firstWrong - 2), firstWrong + 3);
    expect({ count: numbers.length, firstWrong, around }).toEqual({
      count: expected.length,
      firstWrong: -1,
      around: [],
    });
    // Many rotations happened, and no file passed the cap.
    const names = await readdir(dirname(log));
    expect(names.filter((name) => name.startsWith('current.log.')).length).toBeGreaterThan(20);
    for (const name of names)
      expect((await readFile(join(dirname(log), name))).length).toBeLessThanOrEqual(LOG_LIMITS.maxBytes);
  }, 120_000);
});
