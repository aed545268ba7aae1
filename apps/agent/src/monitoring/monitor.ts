/**
 * The sampler: every poll it reads the unit and each instance, keeps moving averages, buffers
 * one averaged `monitoringData` item per poll, and runs the quota alert machines on the
 * averaged values (reference §4.6).
 *
 * Invariants: one poll at a time (the next is scheduled after the previous finished);
 * `sample()` never throws for one instance's failure (it goes to `onError`, the others are
 * still sampled); buffered items per series are capped at `maxItems` (oldest dropped);
 * `takeMonitoringData()` hands out whole polls only: the samples of a poll still in flight stay
 * for the next take, so a batch never holds a poll's unit sample without its instances' or the
 * other way round;
 * alert machines are created on an instance's first sample and dropped with the instance.
 */
import type { AlertRule, AosServiceConfig, AosServiceQuotas } from '@openaos/config';
import type { AlertItem, MonitoringData, MonitoringItem } from '../formats/monitoring.js';
import { computeInstanceCpuPercent, computeUnitCpuPercent, toReportedCpu } from './compute-cpu-load.js';
import { measureDirectory } from './measure-directory.js';
import { MovingAverage } from './moving-average.js';
import type { CgroupLayout } from './parse-cgroup-mounts.js';
import type { CpuTimes } from './parse-kernel-stats.js';
import { detectCgroupLayout, readInstanceUsage } from './read-instance-usage.js';
import { readUnitUsage } from './read-unit-usage.js';
import { resolveCpuQuota, toPercentThresholds, toPointThresholds } from './resolve-alert-rules.js';
import { createAlertState, stepAlert, type AlertState, type AlertThresholds } from './step-alert.js';

/** A quota alert as sent in the v6 `alerts` message. */
export type QuotaAlert = Extract<AlertItem, { tag: 'systemQuotaAlert' | 'instanceQuotaAlert' }>;

/** An instance to watch: its identity, cgroup, paths, quotas and alert rules. */
export interface MonitoredInstance {
  serviceId: string;
  subjectId: string;
  instance: number;
  instanceId: string;
  /** As in the instance's runtime spec (`linux.cgroupsPath`). */
  cgroupsPath: string;
  storagePath?: string;
  statePath?: string;
  quotas?: AosServiceQuotas;
  alertRules?: AosServiceConfig['alertRules'];
}

/** Alert rules of the unit itself (unit config `alertRules`), percents. */
export interface UnitAlertRules {
  cpu?: AlertRule;
  ram?: AlertRule;
  /** `name: 'storage'` is the file system of the agent's storage directory. */
  partitions?: (AlertRule & { name: string })[];
}

export interface MonitorOptions {
  nodeId: string;
  cpuCount: number;
  /** DMIPS of the unit: CPU is then reported in DMIPS, else in percent of the unit. */
  maxDmips?: number;
  /** The agent's storage directory (its file system is the node's `storage` partition). */
  storagePath: string;
  /** Default 10 s. */
  pollPeriodMs?: number;
  /** Moving average window; default 3 polls. */
  averageWindowMs?: number;
  alertRules?: UnitAlertRules;
  /** Items buffered per node/instance between two `takeMonitoringData` calls; default 360. */
  maxItems?: number;
  /** Detected from /proc/self/mounts when omitted. */
  layout?: CgroupLayout;
  /** Bound of the storage walk per instance and poll. */
  maxStorageEntries?: number;
  /** Bytes each instance sent and received this traffic period (network/traffic-accounting.ts); 0 without. */
  readTraffic?: () => Promise<ReadonlyMap<string, { upload: number; download: number }>>;
  onAlert?: (alert: QuotaAlert) => void;
  /** The OOM killer killed `count` more processes of the instance since the last poll. */
  onOomKill?: (instance: MonitoredInstance, count: number) => void;
  /** A poll finished: its items are buffered for `takeMonitoringData()`. */
  onSample?: () => void;
  onError?: (error: Error) => void;
}

/** The last averaged figures of an instance (for status pages and logs). */
export interface InstanceReading {
  timestamp: string;
  cpu: number;
  ram: number;
  pids?: number;
  oomKills?: number;
  partitions: { name: string; usedSize: number }[];
}

export interface Monitor {
  addInstance(instance: MonitoredInstance): void;
  removeInstance(instanceId: string): void;
  /** One poll at `now`; `start()` calls it every poll period. */
  sample(now?: Date): Promise<void>;
  /** The buffered items as a v6 `monitoringData` message; empties the buffer. */
  takeMonitoringData(): MonitoringData;
  readLatest(instanceId: string): InstanceReading | undefined;
  start(): void;
  stop(): void;
}

interface Series {
  items: MonitoringItem[];
  averages: Map<string, MovingAverage>;
  alerts: Map<string, AlertState>;
}

interface InstanceEntry {
  info: MonitoredInstance;
  series: Series;
  previousCpu?: { cpuNanoseconds: number; at: number };
  oomKills?: number;
  latest?: InstanceReading;
}

function createSeries(): Series {
  return { items: [], averages: new Map(), alerts: new Map() };
}

/** Create a monitor. Nothing is read until `sample()` or `start()`. */
export function createMonitor(options: MonitorOptions): Monitor {
  const pollPeriodMs = options.pollPeriodMs ?? 10_000;
  const windowSamples = Math.max(1, Math.round((options.averageWindowMs ?? pollPeriodMs * 3) / pollPeriodMs));
  const maxItems = options.maxItems ?? 360;
  const instances = new Map<string, InstanceEntry>();
  const retired: InstanceEntry[] = [];
  const node = createSeries();
  let previousUnitCpu: CpuTimes | undefined;
  let layout = options.layout;
  let timer: NodeJS.Timeout | undefined;
  let isRunning = false;
  /** The timestamp of the poll in flight, whose samples are not handed out yet. */
  let polling: string | undefined;

  function report(error: unknown): void {
    options.onError?.(error instanceof Error ? error : new Error(String(error)));
  }

  function average(series: Series, key: string, value: number): number {
    let moving = series.averages.get(key);
    if (moving === undefined) {
      moving = new MovingAverage(windowSamples);
      series.averages.set(key, moving);
    }
    return moving.push(value);
  }

  function pushItem(series: Series, item: MonitoringItem): void {
    series.items.push(item);
    if (series.items.length > maxItems) series.items.splice(0, series.items.length - maxItems);
  }

  /** Step the alert for `parameter` (creating it from `thresholds` on first use). */
  function checkAlert(
    series: Series,
    parameter: string,
    thresholds: AlertThresholds | undefined,
    value: number,
    now: number,
  ) {
    if (thresholds === undefined) return undefined;
    const state = series.alerts.get(parameter) ?? createAlertState(thresholds);
    const result = stepAlert(state, value, now);
    series.alerts.set(parameter, result.state);
    return result.event;
  }

  async function sampleUnit(now: Date): Promise<number> {
    const usage = await readUnitUsage(options.storagePath);
    // The first poll has no previous counters: no CPU figure yet, so nothing enters the average.
    const percent = previousUnitCpu === undefined ? undefined : computeUnitCpuPercent(previousUnitCpu, usage.cpu);
    previousUnitCpu = usage.cpu;
    const item: MonitoringItem = {
      timestamp: now.toISOString(),
      cpu: Math.round(
        percent === undefined
          ? (node.averages.get('cpu')?.value ?? 0)
          : average(node, 'cpu', toReportedCpu(percent, options.maxDmips)),
      ),
      ram: Math.round(average(node, 'ram', usage.ramUsedBytes)),
      download: 0,
      upload: 0,
      partitions: [{ name: 'storage', usedSize: Math.round(average(node, 'storage', usage.disk.usedBytes)) }],
    };
    pushItem(node, item);
    const rules = options.alertRules ?? {};
    const checks: [string, AlertThresholds | undefined, number][] = [
      ['cpu', rules.cpu && toPercentThresholds(rules.cpu, options.maxDmips ?? 100), item.cpu],
      ['ram', rules.ram && toPercentThresholds(rules.ram, usage.ramTotalBytes), item.ram],
      ...(rules.partitions ?? [])
        .filter((rule) => rule.name === 'storage')
        .map((rule): [string, AlertThresholds, number] => [
          rule.name,
          toPercentThresholds(rule, usage.disk.totalBytes),
          item.partitions[0]?.usedSize ?? 0,
        ]),
    ];
    for (const [parameter, thresholds, value] of checks) {
      const event = checkAlert(node, parameter, thresholds, value, now.getTime());
      if (event !== undefined) {
        options.onAlert?.({
          tag: 'systemQuotaAlert',
          timestamp: now.toISOString(),
          nodeId: options.nodeId,
          parameter,
          value,
          state: event.state,
        });
      }
    }
    return usage.ramTotalBytes;
  }

  async function sampleInstance(
    cgroups: CgroupLayout,
    entry: InstanceEntry,
    now: Date,
    unitRamBytes: number,
    traffic: { upload: number; download: number } = { upload: 0, download: 0 },
  ): Promise<void> {
    const { info } = entry;
    const usage = await readInstanceUsage(cgroups, info.cgroupsPath);
    if (usage === undefined) return; // not running now: no item, alerts keep their state
    const at = now.getTime();
    const sample = { cpuNanoseconds: usage.cpuNanoseconds, at };
    const percent =
      entry.previousCpu === undefined
        ? undefined
        : computeInstanceCpuPercent(entry.previousCpu, sample, options.cpuCount);
    entry.previousCpu = sample;
    const series = entry.series;
    const cpu = Math.round(
      percent === undefined
        ? (series.averages.get('cpu')?.value ?? 0)
        : average(series, 'cpu', toReportedCpu(percent, options.maxDmips)),
    );
    const ram = Math.round(average(series, 'ram', usage.ramBytes));
    const partitions: { name: string; usedSize: number }[] = [];
    if (info.storagePath !== undefined) {
      const size = await measureDirectory(info.storagePath, { maxEntries: options.maxStorageEntries ?? 10_000 });
      partitions.push({ name: 'storage', usedSize: Math.round(average(series, 'storage', size.usedBytes)) });
    }
    if (info.statePath !== undefined) {
      const size = await measureDirectory(info.statePath, { maxEntries: 1 });
      partitions.push({ name: 'state', usedSize: Math.round(average(series, 'state', size.usedBytes)) });
    }
    const timestamp = now.toISOString();
    const { download, upload } = traffic;
    pushItem(series, {
      timestamp,
      cpu,
      ram,
      download,
      upload,
      partitions,
      ...(usage.pids === undefined ? {} : { pids: usage.pids }),
    });
    entry.latest = {
      timestamp,
      cpu,
      ram,
      partitions,
      ...(usage.pids === undefined ? {} : { pids: usage.pids }),
      ...(usage.oomKills === undefined ? {} : { oomKills: usage.oomKills }),
    };
    if (usage.oomKills !== undefined) {
      const added = usage.oomKills - (entry.oomKills ?? usage.oomKills);
      entry.oomKills = usage.oomKills;
      if (added > 0) options.onOomKill?.(info, added);
    }
    const rules = info.alertRules ?? {};
    const quotas = info.quotas ?? {};
    const partitionQuota = (name: string) =>
      name === 'storage' ? quotas.storageLimit : name === 'state' ? quotas.stateLimit : undefined;
    const checks: [string, AlertThresholds | undefined, number][] = [
      ['cpu', rules.cpu && toPercentThresholds(rules.cpu, resolveCpuQuota(quotas, options.maxDmips)), cpu],
      ['ram', rules.ram && toPercentThresholds(rules.ram, quotas.ramLimit ?? unitRamBytes), ram],
      ['download', rules.download && toPointThresholds(rules.download), download],
      ['upload', rules.upload && toPointThresholds(rules.upload), upload],
      ...(rules.partitions ?? []).flatMap((rule): [string, AlertThresholds, number][] => {
        const quota = partitionQuota(rule.name);
        const used = partitions.find((partition) => partition.name === rule.name);
        return quota === undefined || used === undefined
          ? []
          : [[rule.name, toPercentThresholds(rule, quota), used.usedSize]];
      }),
    ];
    for (const [parameter, thresholds, value] of checks) {
      const event = checkAlert(series, parameter, thresholds, value, at);
      if (event !== undefined) {
        options.onAlert?.({
          tag: 'instanceQuotaAlert',
          timestamp,
          serviceId: info.serviceId,
          subjectId: info.subjectId,
          instance: info.instance,
          parameter,
          value,
          state: event.state,
        });
      }
    }
  }

  /** The buffered samples of `series` except those of the poll in flight, removed from it. */
  function takeSettled(series: Series): MonitoringItem[] {
    if (polling === undefined) return series.items.splice(0);
    const settled = series.items.filter((item) => item.timestamp !== polling);
    series.items = series.items.filter((item) => item.timestamp === polling);
    return settled;
  }

  async function sample(now: Date = new Date()): Promise<void> {
    polling = now.toISOString();
    try {
      await samplePoll(now);
    } finally {
      polling = undefined;
    }
  }

  async function samplePoll(now: Date): Promise<void> {
    const cgroups = (layout ??= await detectCgroupLayout());
    let unitRamBytes = 0;
    try {
      unitRamBytes = await sampleUnit(now);
    } catch (error) {
      report(new Error(`sampling the unit: ${(error as Error).message}`, { cause: error }));
    }
    const traffic = await options.readTraffic?.().catch((error: unknown) => {
      report(new Error(`reading traffic counters: ${(error as Error).message}`, { cause: error }));
      return undefined;
    });
    await Promise.all(
      [...instances.values()].map((entry) =>
        sampleInstance(cgroups, entry, now, unitRamBytes, traffic?.get(entry.info.instanceId)).catch((error: unknown) =>
          report(
            new Error(`sampling instance ${entry.info.instanceId}: ${(error as Error).message}`, { cause: error }),
          ),
        ),
      ),
    );
    options.onSample?.();
  }

  function schedule(): void {
    timer = setTimeout(() => {
      sample()
        .catch(report)
        .finally(() => {
          if (isRunning) schedule();
        });
    }, pollPeriodMs);
    timer.unref();
  }

  return {
    addInstance(instance) {
      const entry = instances.get(instance.instanceId);
      if (entry) entry.info = instance;
      else instances.set(instance.instanceId, { info: instance, series: createSeries() });
    },
    removeInstance(instanceId) {
      const entry = instances.get(instanceId);
      if (entry === undefined) return;
      instances.delete(instanceId);
      if (entry.series.items.length > 0) retired.push(entry);
    },
    sample,
    takeMonitoringData() {
      // A retired instance is not sampled again: all it holds goes now.
      const entries = [
        ...retired.splice(0).map((entry) => ({ entry, items: entry.series.items.splice(0) })),
        ...[...instances.values()].map((entry) => ({ entry, items: takeSettled(entry.series) })),
      ];
      const data: MonitoringData = {
        messageType: 'monitoringData',
        nodes: [{ nodeId: options.nodeId, items: takeSettled(node) }],
        serviceInstances: entries
          .filter(({ items }) => items.length > 0)
          .map(({ entry, items }) => ({
            serviceId: entry.info.serviceId,
            subjectId: entry.info.subjectId,
            instance: entry.info.instance,
            nodeId: options.nodeId,
            items,
          })),
      };
      return data;
    },
    readLatest(instanceId) {
      return instances.get(instanceId)?.latest;
    },
    start() {
      if (isRunning) return;
      isRunning = true;
      schedule();
    },
    stop() {
      isRunning = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
