import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../src/index.js';
import {
  buildTestImage,
  createTestBed,
  desiredStatus,
  reconcileUntil,
  SERVICE_A,
  serviceYaml,
  type TestImage,
} from './helpers.js';

const isRoot = process.getuid?.() === 0;
const SLEEPER = 'import time\nprint("up v1.0", flush=True)\ntime.sleep(3600)\n';
// Starts, runs 3 s, exits 1: with restartInterval 1 s the starts are over 4 s apart, so 4 of them
// never fall within startInterval (8 s), yet each run ends well before startInterval (no commit).
const SLOW_CRASH = 'import sys, time\nprint("starting", flush=True)\ntime.sleep(3)\nsys.exit(1)\n';
const SLOW_RUN = { startIntervalMs: 8000, startBurst: 4, restartIntervalMs: 1000 };

describe.skipIf(!isRoot).sequential('agent: a slow crash loop is rolled back', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  let agent: Agent;
  const images: Record<string, TestImage> = {};

  beforeAll(async () => {
    bed = await createTestBed('slowcrash');
    const build = async (name: string, version: string, script: string, runParameters?: string) => {
      images[name] = await buildTestImage(
        join(bed.root, name),
        serviceYaml({
          uid: SERVICE_A,
          version,
          cmd: 'python3 -u /srv/app/main.py',
          ...(runParameters ? { runParameters } : {}),
        }),
        { 'srv/app/main.py': script },
      );
    };
    await build('good', '1.0.0', SLEEPER);
    await build(
      'slow',
      '1.1.0',
      SLOW_CRASH,
      `        startInterval: PT${SLOW_RUN.startIntervalMs / 1000}S\n        startBurst: ${SLOW_RUN.startBurst}\n        restartInterval: PT${SLOW_RUN.restartIntervalMs / 1000}S`,
    );
    agent = await bed.openAgent();
  });
  afterAll(async () => {
    await bed?.cleanup();
  });

  it('commits the first version', async () => {
    await agent.acceptTarget(desiredStatus([{ id: SERVICE_A, version: '1.0.0', image: images.good! }]));
    let isCommitted = false;
    await reconcileUntil(agent, (pass) => {
      isCommitted ||= pass.steps.some((step) => step.kind === 'commit-version' && step.version === '1.0.0');
      return isCommitted && pass.status.instances[0]?.status === 'active';
    });
  });

  it('fails a version whose every run exits after 3 s and rolls it back, within startBurst runs', async () => {
    const startedAt = Date.now();
    await agent.acceptTarget(desiredStatus([{ id: SERVICE_A, version: '1.1.0', image: images.slow! }]));
    let restarts = 0;
    let failedAfterMs: number | undefined;
    const bound = SLOW_RUN.startBurst * (SLOW_RUN.startIntervalMs + SLOW_RUN.restartIntervalMs);
    const pass = await reconcileUntil(
      agent,
      (result) => {
        restarts += result.steps.filter((step) => step.kind === 'restart-instance').length;
        if (result.steps.some((step) => step.kind === 'mark-instance-failed')) failedAfterMs = Date.now() - startedAt;
        return (
          result.status.services.some(
            (service) => service.id === SERVICE_A && service.version === '1.1.0' && service.status === 'error',
          ) &&
          result.status.instances[0]?.version === '1.0.0' &&
          result.status.instances[0]?.status === 'active'
        );
      },
      bound + 30_000,
    );
    // One start, then restarts until the burst: the agent gave up on the 4th failed start in a row.
    expect(restarts).toBe(SLOW_RUN.startBurst - 1);
    expect(failedAfterMs).toBeDefined();
    expect(failedAfterMs!).toBeLessThan(bound + 15_000);
    const rejected = pass.status.services.find((service) => service.version === '1.1.0')!;
    expect(rejected.errorInfo?.message).toMatch(
      /rolled back to 1\.0\.0: start burst exceeded \(4 failed starts in a row\), last exited with code 1/,
    );
    expect(rejected.errorInfo?.exitCode).toBe(1);
    expect(pass.status.instances).toEqual([expect.objectContaining({ version: '1.0.0', status: 'active' })]);
  });
});
