import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitoringDataSchema } from '../formats/monitoring.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, type QuotaAlert } from './monitor.js';
import { detectCgroupLayout } from './read-instance-usage.js';
import { createTestCgroup, type TestCgroup } from './test-cgroup.js';

const layout = await detectCgroupLayout();
const skipReason =
  process.getuid?.() !== 0
    ? 'needs root to create cgroups'
    : layout.version !== 1
      ? 'test cgroups are created on v1 only'
      : '';
const MiB = 1024 * 1024;

describe.skipIf(skipReason !== '')(
  `monitor on a real instance cgroup${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let cgroup: TestCgroup;
    let storage = '';

    beforeAll(async () => {
      storage = await mkdtemp(join(tmpdir(), 'openaos-monitor-'));
      await writeFile(join(storage, 'file'), Buffer.alloc(128 * 1024, 1));
      await writeFile(join(storage, 'state.dat'), Buffer.alloc(8 * 1024, 1));
      cgroup = await createTestCgroup(layout, 'monitor');
      // 40 MiB resident, then one thread spinning until the test kills it.
      await cgroup.runInside(
        ["block = b'\\x01' * (40 << 20)", "print('ready', flush=True)", 'while True: pass'].join('\n'),
      );
    });
    afterAll(async () => {
      await cgroup.remove();
      await rm(storage, { recursive: true, force: true });
    });

    it('reports v6 monitoringData items and raises quota alerts against the quota', async () => {
      const alerts: QuotaAlert[] = [];
      const errors: Error[] = [];
      const monitor = createMonitor({
        nodeId: 'unit-1',
        cpuCount: 2,
        maxDmips: 20000,
        storagePath: storage,
        pollPeriodMs: 1000,
        averageWindowMs: 1000,
        layout,
        onAlert: (alert) => alerts.push(alert),
        onError: (error) => errors.push(error),
      });
      monitor.addInstance({
        serviceId: 'service-1',
        subjectId: 'subject-1',
        instance: 0,
        instanceId: 'instance-1',
        cgroupsPath: cgroup.cgroupsPath,
        storagePath: storage,
        statePath: join(storage, 'state.dat'),
        quotas: { ramLimit: 64 * MiB, cpuDmipsLimit: 10000, storageLimit: 1 * MiB },
        alertRules: {
          ram: { minTimeout: 'PT0S', minThreshold: 10, maxThreshold: 50 }, // 32 MiB of 64
          cpu: { minTimeout: 'PT0S', minThreshold: 1, maxThreshold: 5 }, // 500 of 10000 DMIPS: met even on a loaded machine
          partitions: [{ name: 'storage', minTimeout: 'PT0S', minThreshold: 50, maxThreshold: 90 }],
        },
      });
      const start = Date.now();
      await monitor.sample(new Date(start));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await monitor.sample(new Date(Date.now()));

      expect(errors).toEqual([]);
      const data = monitor.takeMonitoringData();
      expect(monitoringDataSchema.parse(data)).toEqual(data);
      expect(data.nodes).toHaveLength(1);
      expect(data.nodes[0]!.items).toHaveLength(2);
      const [instance] = data.serviceInstances;
      expect(instance).toMatchObject({ serviceId: 'service-1', subjectId: 'subject-1', instance: 0, nodeId: 'unit-1' });
      const last = instance!.items.at(-1)!;
      expect(last.ram).toBeGreaterThanOrEqual(40 * MiB);
      // One spinning thread: at most one core of two on a 20000-DMIPS unit (10000 DMIPS, about
      // that when the machine is idle; less when other tests compete for the cores).
      expect(last.cpu).toBeGreaterThan(500);
      expect(last.cpu).toBeLessThanOrEqual(10_100);
      expect(last.partitions.find((partition) => partition.name === 'storage')!.usedSize).toBeGreaterThanOrEqual(
        136 * 1024,
      );
      expect(last.partitions.find((partition) => partition.name === 'state')!.usedSize).toBeGreaterThanOrEqual(
        8 * 1024,
      );

      const raised = alerts
        .filter((alert) => alert.tag === 'instanceQuotaAlert')
        .map((alert) => `${alert.parameter}:${alert.state}`);
      expect(raised).toContain('ram:raise');
      expect(raised).toContain('cpu:raise');
      expect(raised).not.toContain('storage:raise'); // ~140 KiB of 1 MiB
      expect(monitor.readLatest('instance-1')).toMatchObject({ pids: 1, oomKills: 0 });

      // The buffer was emptied; a removed instance sends what it still had, then nothing.
      await monitor.sample(new Date(Date.now()));
      monitor.removeInstance('instance-1');
      expect(monitor.takeMonitoringData().serviceInstances).toHaveLength(1);
      expect(monitor.takeMonitoringData().serviceInstances).toHaveLength(0);
    });
  },
);

describe('monitor timer and unit alerts', () => {
  it('polls every pollPeriod until stopped and raises system alerts from the unit rules', async () => {
    const alerts: QuotaAlert[] = [];
    const monitor = createMonitor({
      nodeId: 'unit-1',
      cpuCount: 2,
      storagePath: tmpdir(),
      pollPeriodMs: 40,
      // 1 % of the unit's RAM is certainly in use; 100 % of its disk certainly is not.
      alertRules: {
        ram: { minTimeout: 'PT0S', minThreshold: 0, maxThreshold: 1 },
        partitions: [{ name: 'storage', minTimeout: 'PT0S', minThreshold: 99, maxThreshold: 100 }],
      },
      onAlert: (alert) => alerts.push(alert),
    });
    monitor.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    monitor.stop();
    const items = monitor.takeMonitoringData().nodes[0]!.items;
    expect(items.length).toBeGreaterThanOrEqual(3);
    // CPU without maxDmips is a percent of the unit.
    expect(items.every((item) => item.cpu >= 0 && item.cpu <= 100)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(monitor.takeMonitoringData().nodes[0]!.items.length).toBeLessThanOrEqual(1); // at most one in flight at stop
    expect(alerts.map((alert) => `${alert.tag}:${alert.parameter}:${alert.state}`)[0]).toBe(
      'systemQuotaAlert:ram:raise',
    );
    expect(alerts.some((alert) => alert.parameter === 'storage')).toBe(false);
  });

  it('hands out whole polls: a take while a poll is in flight leaves that poll for the next take', async () => {
    let release!: () => void;
    let reading!: () => void;
    let reads = 0;
    const readingTraffic = new Promise<void>((resolve) => (reading = resolve));
    const monitor = createMonitor({
      nodeId: 'unit-1',
      cpuCount: 2,
      storagePath: tmpdir(),
      // The unit's sample is buffered before the traffic read, the instances' after it.
      readTraffic: () => {
        if (++reads === 1) return Promise.resolve(new Map());
        reading();
        return new Promise((resolve) => (release = () => resolve(new Map())));
      },
    });
    await monitor.sample(new Date(Date.now() - 1000));
    const inFlight = monitor.sample(new Date());
    await readingTraffic;
    const during = monitor.takeMonitoringData().nodes[0]!.items;
    expect(during).toHaveLength(1); // the finished poll only
    release();
    await inFlight;
    const after = monitor.takeMonitoringData().nodes[0]!.items;
    expect(after).toHaveLength(1);
    expect(after[0]!.timestamp > during[0]!.timestamp).toBe(true);
  });
});
