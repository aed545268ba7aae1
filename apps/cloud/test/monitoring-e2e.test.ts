/**
 * Monitoring end to end on the built cloud (PGlite) with the real agent running a service under
 * runc: the unit's samples reach the cloud every monitoring period and can be read with
 * `aos metrics` (tRPC over HTTP), an SP reads its own instance; samples the agent took while its
 * link was cut arrive after it reconnects, with no gap. Needs root, runc and `pnpm build`.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFiles, resolveStoragePaths } from '@openaos/agent';
import { CLOUD_START_TIMEOUT_MS } from './cloud-process.js';
import { createService, startFleet, type Fleet, type UploadedVersion } from './fleet/fleet.js';
import { startLinkProxy, type LinkProxy } from './fleet/link-proxy.js';
import { createUnit, type TestUnit } from './fleet/unit.js';

/** A guard against a hang, not a measure: each wait returns as soon as its condition holds. */
const SETTLE_TIMEOUT_MS = 180_000;

interface Metrics {
  bucketSeconds: number;
  series: {
    kind: 'node' | 'instance';
    serviceId: string | null;
    points: { at: string; cpu: number; ram: number; pids: number | null; partitions: { name: string }[] }[];
  }[];
}

async function waitUntil<T>(what: string, unit: TestUnit, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline || unit.hasExited())
      throw new Error(
        `waiting for ${what}: ${unit.hasExited() ? 'the agent exited' : 'not reached'}; last error: ${String(lastError)}\nagent output:\n${unit.output()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('monitoring end to end (built cloud on PGlite, real agent and runc)', () => {
  let fleet: Fleet;
  let proxy: LinkProxy;
  let unit: TestUnit;
  let service: UploadedVersion;

  const metrics = (args: string[] = []) =>
    fleet.aosJson<Metrics>(['metrics', '--unit', unit.systemId, '--since', '1h', ...args]);
  const instanceOf = (result: Metrics) =>
    result.series.find((series) => series.kind === 'instance' && series.serviceId === service.serviceId);

  beforeAll(async () => {
    fleet = await startFleet('pglite');
    proxy = await startLinkProxy(() => new URL(fleet.url));
  }, CLOUD_START_TIMEOUT_MS);

  afterAll(async () => {
    await unit?.remove();
    await proxy?.close();
    await fleet?.close();
  });

  // Its own step (not the hook): uploading and building the service takes longer than a cloud start on a busy machine.
  it('runs a service on a provisioned unit that sends monitoring data every second', { timeout: 240_000 }, async () => {
    service = await createService(fleet, { title: 'monitored' });
    await fleet.aos(['version', 'approve', service.versionId]);
    unit = await createUnit(fleet, `metrics-${process.pid}`);
    await unit.provision();
    await unit.start(['--cloud', proxy.url, '--monitoring-period', '1', '--monitoring-poll', '1']);
    const subject = await fleet.aosJson<{ id: string }>(['subject', 'create', '--name', 'monitored fleet']);
    await fleet.aos(['subject', 'bind', subject.id, '--service', service.serviceId, '--unit', unit.id]);
    await unit.waitForOutput(/cloud link: connected to/);
  });

  it("stores the unit's and its instance's samples, readable with aos metrics", { timeout: 240_000 }, async () => {
    const result = await waitUntil('three points of the running instance', unit, async () => {
      const current = await metrics();
      const points = instanceOf(current)?.points ?? [];
      return points.length >= 3 && points.some((point) => point.ram > 0) ? current : undefined;
    });
    const instance = instanceOf(result)!;
    // The hello world is a Python process: some RAM, at least one process, its storage partition measured.
    expect(Math.max(...instance.points.map((point) => point.ram))).toBeGreaterThan(1024 * 1024);
    expect(instance.points.some((point) => (point.pids ?? 0) >= 1)).toBe(true);
    const node = result.series.find((series) => series.kind === 'node');
    expect(node?.points.length).toBeGreaterThanOrEqual(3);
    expect(node?.points.at(-1)?.partitions.map((partition) => partition.name)).toEqual(['storage']);
    // The SP reads its own instance, and no unit totals.
    const asSp = await fleet.aosJson<Metrics>([
      'metrics',
      '--unit',
      unit.systemId,
      '--service',
      service.serviceId,
      '--pkcs12',
      `${fleet.aosHome}/security/aos-user-sp.p12`,
    ]);
    expect(asSp.series.map((series) => series.kind)).toEqual(['instance']);
    // People's output: sparklines and the figures.
    const human = await fleet.aos(['metrics', '--unit', unit.systemId]);
    expect(human.stdout).toMatch(/^ {2}ram {6}\S+ {2}now \d/m);
  });

  it(
    'sends the samples taken while the link was cut once it is back, in order and without a gap',
    { timeout: 240_000 },
    async () => {
      const usagePath = agentFiles(resolveStoragePaths(unit.storageDir)).usage;
      const newestSample = async () => {
        const usage = JSON.parse(await readFile(usagePath, 'utf8')) as Record<string, { timestamp: string }>;
        return Math.max(...Object.values(usage).map((reading) => Date.parse(reading.timestamp)));
      };
      const cutAt = Date.now();
      proxy.cut();
      await unit.waitForOutput(/cloud link: disconnected after/);
      // The agent goes on sampling: wait until it has sampled for 25 s past the cut (three whole 10 s buckets).
      await waitUntil('25 s of samples taken offline', unit, async () =>
        (await newestSample()) >= cutAt + 25_000 ? true : undefined,
      );
      proxy.restore();
      const offlineFrom = Math.ceil(cutAt / 10_000) * 10_000;
      const offlineTo = offlineFrom + 20_000;
      const result = await waitUntil('the offline samples in the cloud', unit, async () => {
        const current = await metrics();
        const buckets = new Set((instanceOf(current)?.points ?? []).map((point) => Date.parse(point.at)));
        return buckets.has(offlineFrom) && buckets.has(offlineFrom + 10_000) && buckets.has(offlineTo)
          ? current
          : undefined;
      });
      // Every 10 s bucket from before the cut to after the reconnect is there, in order.
      const times = instanceOf(result)!.points.map((point) => Date.parse(point.at));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      const around = times.filter((time) => time >= offlineFrom - 10_000 && time <= offlineTo + 10_000);
      for (let index = 1; index < around.length; index++) expect(around[index]! - around[index - 1]!).toBe(10_000);
      expect(unit.output()).not.toMatch(/monitoring buffer full/);
    },
  );
});
