import type { AlertItem, MonitoringData } from '../formats/monitoring.js';
import type { AgentEvents } from '../events.js';
import { createMonitor, type InstanceReading, type Monitor } from '../monitoring/index.js';
import { writeFileAtomic } from '../persist/atomic-write.js';
import type { StoragePaths } from '../paths.js';
import type { AgentRecords, Observations } from '../state.js';
import { collectUsage, syncMonitor } from './sync-monitor.js';

/** Alerts kept for `takeAlerts()` at most; the oldest go first. */
const MAX_BUFFERED_ALERTS = 1000;

export interface AgentMonitorOptions {
  nodeId: string;
  cpuCount: number;
  maxDmips?: number;
  paths: StoragePaths;
  /** usage.json (agentFiles). */
  usagePath: string;
  pollPeriodMs: number;
  averageWindowMs?: number;
  events: AgentEvents;
  log: (message: string) => void;
  /** Per-instance traffic this period (the network manager's counters). */
  readTraffic?: () => Promise<ReadonlyMap<string, { upload: number; download: number }>>;
}

/**
 * Monitor wiring: the monitor of the agent's running instances (./monitoring), its quota alerts
 * (logged, told to subscribers, buffered for `takeAlerts()`) and usage output (usage.json).
 */
export class AgentMonitor {
  readonly monitor: Monitor;
  private readonly alerts: AlertItem[] = [];
  private lastUsageText = '';

  constructor(private readonly options: AgentMonitorOptions) {
    this.monitor = createMonitor({
      nodeId: options.nodeId,
      cpuCount: options.cpuCount,
      ...(options.maxDmips ? { maxDmips: options.maxDmips } : {}),
      storagePath: options.paths.root,
      pollPeriodMs: options.pollPeriodMs,
      ...(options.averageWindowMs ? { averageWindowMs: options.averageWindowMs } : {}),
      ...(options.readTraffic ? { readTraffic: options.readTraffic } : {}),
      onAlert: (alert) => {
        this.alerts.push(alert);
        if (this.alerts.length > MAX_BUFFERED_ALERTS) this.alerts.shift();
        options.log(`alert ${alert.tag} ${alert.parameter}=${alert.value}${alert.state ? ` (${alert.state})` : ''}`);
        options.events.emit('onAlert', alert);
      },
      onSample: () => options.events.emit('onMonitoringSample'),
      onError: (error) => options.log(`monitoring: ${error.message}`),
    });
  }

  /** Watch exactly the instances running in this observation; rewrite usage.json when it changed. */
  async sync(records: AgentRecords, observations: Observations): Promise<void> {
    syncMonitor(this.monitor, records, observations, this.options.paths);
    // usage.json changes once per monitoring poll.
    const text = JSON.stringify(collectUsage(this.monitor, records));
    if (text === this.lastUsageText) return;
    await writeFileAtomic(this.options.usagePath, text);
    this.lastUsageText = text;
  }

  start(): void {
    this.monitor.start();
  }

  stop(): void {
    this.monitor.stop();
  }

  /** Buffered monitoring data (v6 monitoringData) since the last call. */
  takeMonitoringData(): MonitoringData {
    return this.monitor.takeMonitoringData();
  }

  /** Quota alerts raised since the last call. */
  takeAlerts(): AlertItem[] {
    return this.alerts.splice(0);
  }

  /** Latest averaged usage of an instance, once the monitor has sampled it. */
  readUsage(instanceId: string): InstanceReading | undefined {
    return this.monitor.readLatest(instanceId);
  }
}
