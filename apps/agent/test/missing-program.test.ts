import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../src/index.js';
import type { UnitStatus } from '../src/formats/unit-status.js';
import { buildTestImage, createTestBed, desiredStatus, SERVICE_A, serviceYaml, type TestImage } from './helpers.js';

const isRoot = process.getuid?.() === 0;
const SLEEPER = 'import time\nprint("up v1.0.0", flush=True)\ntime.sleep(3600)\n';
// The agent's defaults, as a service made with `aos init` has them.
const DEFAULT_RUN = '        startInterval: PT5S\n        startBurst: 3\n        restartInterval: PT1S';

// The daemon loop (as `aos-agent run`), not test-driven passes: its pace is the one that matters.
describe.skipIf(!isRoot).sequential('agent: a version whose program is not in its rootfs is rolled back', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  let agent: Agent;
  let running: Promise<void> | undefined;
  const images: Record<string, TestImage> = {};
  const logged: string[] = [];
  const startedAt = Date.now();

  /** Wait until the agent's published status passes `check`; the agent's log on a time-out. */
  async function waitForStatus(what: string, check: (status: UnitStatus) => boolean, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = agent.status();
      if (status && check(status)) return status;
      if (Date.now() > deadline)
        throw new Error(`waiting for ${what}: last status ${JSON.stringify(status)}\nagent log:\n${logged.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    bed = await createTestBed('noprog');
    const build = async (name: string, version: string, cmd: string) => {
      images[name] = await buildTestImage(
        join(bed.root, name),
        serviceYaml({ uid: SERVICE_A, version, cmd, runParameters: DEFAULT_RUN }),
        { 'srv/app/main.py': SLEEPER },
      );
    };
    await build('good', '1.0.0', 'python3 -u /srv/app/main.py');
    // runc cannot exec it: `runc run` fails before any process of the container runs.
    await build('missing', '1.0.1', '/usr/bin/openaos-no-such-program');
    agent = await bed.openAgent({
      stopTimeoutMs: 2000,
      log: (message) => logged.push(`${((Date.now() - startedAt) / 1000).toFixed(2)} ${message}`),
    });
    running = agent.run();
  });
  afterAll(async () => {
    agent?.stop();
    await running;
    await bed?.cleanup();
  });

  it('commits the first version', async () => {
    await agent.acceptTarget(desiredStatus([{ id: SERVICE_A, version: '1.0.0', image: images.good! }]));
    await waitForStatus(
      '1.0.0 active',
      (status) => status.instances[0]?.version === '1.0.0' && status.instances[0]?.status === 'active',
      30_000,
    );
    const deadline = Date.now() + 20_000;
    while (!logged.some((line) => line.endsWith(`${SERVICE_A}@1.0.0 is active`)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logged.join('\n')).toContain(`${SERVICE_A}@1.0.0 is active`);
  });

  it('fails 1.0.1 after startBurst failed starts, restores 1.0.0 and says why', async () => {
    const from = logged.length;
    await agent.acceptTarget(desiredStatus([{ id: SERVICE_A, version: '1.0.1', image: images.missing! }]));
    // Between the starts the instance says why it is restarted: runc's own error, not an exit code.
    const tried = await waitForStatus(
      '1.0.1 tried and restarting',
      (status) => status.instances[0]?.version === '1.0.1' && status.instances[0]?.errorInfo !== undefined,
      30_000,
    );
    expect(tried.instances[0]).toMatchObject({
      status: 'activating',
      errorInfo: { exitCode: 1, message: expect.stringMatching(/^could not be started: exec: .*; restarting$/) },
    });
    const status = await waitForStatus(
      '1.0.1 failed and 1.0.0 active again',
      (current) =>
        current.services.some((service) => service.version === '1.0.1' && service.status === 'error') &&
        current.instances[0]?.version === '1.0.0' &&
        current.instances[0]?.status === 'active',
      60_000,
    );
    const steps = logged.slice(from);
    const context = steps.join('\n');
    // One start and startBurst - 1 restarts of 1.0.1, each failed at runc's exec; then the rollback.
    expect(
      steps.filter((line) => / (start|restart) .*@1\.0\.1$/.test(line)),
      context,
    ).toHaveLength(3);
    expect(context).not.toMatch(/reconcile failed/);
    const rejected = status.services.find((service) => service.version === '1.0.1')!;
    expect(rejected.errorInfo?.message, context).toMatch(
      /^rolled back to 1\.0\.0: start burst exceeded \(3 failed starts in a row\), last could not be started: exec: "\/usr\/bin\/openaos-no-such-program": stat \/usr\/bin\/openaos-no-such-program: no such file or directory$/,
    );
    expect(status.services).toContainEqual({ id: SERVICE_A, version: '1.0.0', status: 'installed' });
  });
});
