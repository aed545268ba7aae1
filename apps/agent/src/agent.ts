/**
 * The agent and its reconcile loop.
 *
 * Loop invariants:
 * - Only the loop executes steps, one pass at a time; `planSteps` is the only place that
 *   decides, executors (reconcile/executors.ts) are the only code that acts.
 * - The target it plans against is the persisted one (target.json, written before use).
 * - Every executor records its effect (records.json, atomic) before the next observation, and
 *   observation reads only the disk, so a restarted agent continues from what is true.
 * - A pass repeats observe → plan → execute until the plan is empty (at most 10 rounds).
 * - A failing pass backs off (1 s doubling to 30 s) and never ends the loop; containers keep
 *   running when the loop stops.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import type { DesiredStatus, MessageOf } from '@openaos/protocol';
import { DEFAULT_CGROUP_PARENT, formatCgroupsPath, type UnitSettings } from '@openaos/spec';
import { runProgram } from './run-program.js';
import { describeError } from './errors.js';
import { removeInterruptedInstalls } from './install/layer-paths.js';
import { RecordsFile, type AgentRecords } from './persist/agent-records.js';
import { writeFileAtomic } from './persist/atomic-write.js';
import { TargetFile } from './persist/target-file.js';
import { instancePaths, resolveStoragePaths, type StoragePaths } from './paths.js';
import { executors, type ExecutorContext } from './reconcile/executors.js';
import { expandTarget, mergeDesiredStatus } from './reconcile/expand-target.js';
import { planSteps } from './reconcile/plan-steps.js';
import { describeStep, type Step } from './reconcile/steps.js';
import type { InstanceRuntime, Observations, UnitState } from './reconcile/unit-state.js';
import { cleanupContainer, observeInstance, stopContainer, type RunnerContext } from './runtime/instance-runner.js';
import { DEFAULT_LOG_LIMITS, rotateLog, type LogLimits } from './runtime/rotate-log.js';
import { Runc } from './runtime/runc.js';
import { removeCgroupDirs } from './runtime/remove-cgroups.js';
import { unmountRootfs } from './runtime/rootfs.js';
import { ensureStorageMounted, isMountPoint } from './storage/mount-storage.js';
import { prepareHostRoot } from './storage/prepare-host-root.js';
import { buildUnitStatus } from './status/build-unit-status.js';
import { collectUsage, syncMonitor } from './status/sync-monitor.js';
import { availableParallelism } from 'node:os';
import type { AlertItem } from '@openaos/protocol';
import { createMonitor, type InstanceReading, type Monitor } from './monitoring/index.js';

export interface AgentOptions {
  storageDir: string;
  /** Mount a tmpfs of this size on storageDir when it is not a mount point. */
  storageSize?: string | number;
  /** Mount this loop ext4 image on storageDir instead (created when missing). */
  storageImage?: string;
  runcBinary?: string;
  /** Parent cgroup of the instances (default `/openaos`). */
  cgroupParent?: string;
  nodeId?: string;
  /** Unit settings passed to the spec generator (cpuCount defaults to this machine's). */
  unit?: Partial<UnitSettings>;
  logLimits?: LogLimits;
  /** SIGTERM → SIGKILL grace when stopping an instance (default 2000 ms). */
  stopTimeoutMs?: number;
  /** Pause between reconcile passes of the daemon loop (default 500 ms). */
  pollIntervalMs?: number;
  /** Called with each unitStatus that differs from the previous one (e.g. to send a delta to the cloud). */
  onStatus?: (status: MessageOf<'unitStatus'>) => void;
  /** Monitoring poll period (default 10 s); the monitor runs while `run()` does. */
  monitoringPollMs?: number;
  log?: (message: string) => void;
}

/** A snapshot of one reconcile pass. */
export interface PassResult {
  steps: Step[];
  status: MessageOf<'unitStatus'>;
}

/**
 * The device agent: owns its storage, persists the target before applying it, and runs the
 * reconcile loop (see reconcile-loop invariants in `run`). One Agent per storage directory.
 */
export class Agent {
  readonly paths: StoragePaths;
  private readonly runner: RunnerContext;
  private readonly recordsFile: RecordsFile;
  private readonly targetFile: TargetFile;
  private records!: AgentRecords;
  private desired: DesiredStatus | undefined;
  private targetMtime = 0;
  private installing: string | undefined;
  private lastStatusText = '';
  private lastUsageText = '';
  /** An instance is starting: poll fast so `active` is seen (and reported) promptly. */
  private isSettling = false;
  private running = false;
  private wake: (() => void) | undefined;
  private isWakeRequested = false;
  private readonly log: (message: string) => void;
  private readonly nodeId: string;
  private readonly logLimits: LogLimits;
  private readonly pollIntervalMs: number;
  /** Resource usage and quota alerts (./monitoring), fed with the running instances each pass. */
  readonly monitor: Monitor;
  private readonly alertBuffer: AlertItem[] = [];

  private constructor(
    readonly options: AgentOptions,
    readonly mountedStorage: boolean,
  ) {
    this.paths = resolveStoragePaths(options.storageDir);
    this.recordsFile = new RecordsFile(this.paths.agent);
    this.targetFile = new TargetFile(this.paths.agent);
    this.runner = {
      paths: this.paths,
      runc: new Runc(this.paths.runc, options.runcBinary ?? 'runc'),
      unit: {
        cpuCount: availableParallelism(),
        ...(options.cgroupParent ? { cgroupParent: options.cgroupParent } : {}),
        ...options.unit,
      },
      stopTimeoutMs: options.stopTimeoutMs ?? 2000,
    };
    this.log = options.log ?? (() => undefined);
    this.nodeId = options.nodeId ?? 'main';
    this.logLimits = options.logLimits ?? DEFAULT_LOG_LIMITS;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.monitor = createMonitor({
      nodeId: this.nodeId,
      cpuCount: this.runner.unit.cpuCount,
      ...(this.runner.unit.maxDmips ? { maxDmips: this.runner.unit.maxDmips } : {}),
      storagePath: this.paths.root,
      pollPeriodMs: options.monitoringPollMs ?? 10_000,
      onAlert: (alert) => {
        this.alertBuffer.push(alert);
        if (this.alertBuffer.length > 1000) this.alertBuffer.shift();
        this.log(`alert ${alert.tag} ${alert.parameter}=${alert.value}${alert.state ? ` (${alert.state})` : ''}`);
      },
      onError: (error) => this.log(`monitoring: ${error.message}`),
    });
  }

  /**
   * Open the agent on its storage: mount it if needed, bind the host root, drop leftovers of
   * interrupted installs, load records and target, and re-adopt containers: those with a
   * record are kept running as they are; containers runc knows without a record are deleted.
   */
  static async open(options: AgentOptions): Promise<Agent> {
    const { mounted } = await ensureStorageMounted(options.storageDir, {
      ...(options.storageSize !== undefined ? { size: options.storageSize } : {}),
      ...(options.storageImage ? { image: options.storageImage } : {}),
    });
    const agent = new Agent(options, mounted);
    await agent.initialize();
    return agent;
  }

  private async initialize(): Promise<void> {
    const { paths } = this;
    for (const dir of [
      paths.images,
      paths.layers,
      paths.instances,
      paths.storage,
      paths.state,
      paths.runc,
      paths.agent,
    ])
      await mkdir(dir, { recursive: true });
    await prepareHostRoot(paths);
    const leftovers = await removeInterruptedInstalls(paths);
    if (leftovers.length > 0) this.log(`removed interrupted installs: ${leftovers.join(', ')}`);
    this.records = await this.recordsFile.load();
    await this.reloadTarget();
    const known = new Set(Object.keys(this.records.instances));
    for (const container of await this.runner.runc.list()) {
      if (!known.has(container.id)) {
        this.log(`deleting container ${container.id}: no record of it`);
        await stopContainer(this.runner, container.id);
        await this.removeInstanceCgroups(container.id);
      }
    }
    for (const entry of await readdir(paths.instances)) {
      if (!known.has(entry)) await cleanupContainer(this.runner, entry);
    }
  }

  private async reloadTarget(): Promise<void> {
    const mtime = await stat(this.targetFile.path).then(
      (info) => info.mtimeMs,
      () => 0,
    );
    if (mtime === this.targetMtime) return;
    this.desired = await this.targetFile.load();
    this.targetMtime = mtime;
  }

  /** Accept a desired status: merged with the previous one (absent lists are kept) and persisted before anything acts on it. */
  async setTarget(desired: DesiredStatus): Promise<void> {
    const merged = mergeDesiredStatus(this.desired, desired);
    await this.targetFile.save(merged);
    this.desired = merged;
    this.targetMtime = (await stat(this.targetFile.path)).mtimeMs;
    this.requestWake();
  }

  get target(): DesiredStatus | undefined {
    return this.desired;
  }

  private async observe(): Promise<{ current: UnitState; observations: Observations }> {
    const now = Date.now();
    const current: UnitState = {
      services: Object.values(this.records.installed).map((service) => ({
        serviceId: service.serviceId,
        version: service.version,
        manifestDigest: service.manifestDigest,
        urls: [],
        runParameters: service.runParameters,
      })),
      instances: Object.values(this.records.instances).map((record) => record.instance),
    };
    const instances: Record<string, InstanceRuntime> = {};
    for (const record of Object.values(this.records.instances))
      instances[record.instance.instanceId] = await observeInstance(this.runner, record, now);
    return {
      current,
      observations: { now, services: this.records.services, instances, installFailures: this.records.installFailures },
    };
  }

  private executorContext(): ExecutorContext {
    return {
      runner: this.runner,
      records: this.records,
      saveRecords: () => this.recordsFile.save(this.records),
      now: () => Date.now(),
      log: this.log,
      setInstalling: (digest) => {
        this.installing = digest;
      },
      reportStatus: async () => {
        await this.status();
      },
    };
  }

  private async execute(step: Step): Promise<void> {
    this.log(describeStep(step));
    // The cast is safe: executors[step.kind] is the executor of exactly this kind.
    const executor = executors[step.kind] as (step: Step, context: ExecutorContext) => Promise<void>;
    await executor(step, this.executorContext());
  }

  /**
   * One reconcile: observe, plan against the persisted target, execute the plan, and repeat
   * until the plan is empty (at most 10 passes, so a step that cannot take effect yet does
   * not spin). Then rotate logs and write status.json.
   */
  async reconcileOnce(): Promise<PassResult> {
    await this.reloadTarget();
    const target = expandTarget(this.desired);
    const executed: Step[] = [];
    for (let pass = 0; pass < 10; pass += 1) {
      const { current, observations } = await this.observe();
      const steps = planSteps(current, target, observations);
      if (steps.length === 0) break;
      for (const step of steps) {
        await this.execute(step);
        executed.push(step);
      }
    }
    for (const instanceId of Object.keys(this.records.instances))
      await rotateLog(instancePaths(this.paths, instanceId).log, this.logLimits).catch(() => false);
    await this.syncMonitor();
    const status = await this.status(target);
    return { steps: executed, status };
  }

  /** Watch exactly the instances that are running now. */
  private async syncMonitor(): Promise<void> {
    const { observations } = await this.observe();
    syncMonitor(this.monitor, this.records, observations, this.paths);
    // usage.json changes once per monitoring poll.
    const usage = collectUsage(this.monitor, this.records);
    const text = JSON.stringify(usage);
    if (text !== this.lastUsageText) {
      await writeFileAtomic(`${this.paths.agent}/usage.json`, text);
      this.lastUsageText = text;
    }
  }

  /** Buffered monitoring data (v6 monitoringData) since the last call. */
  takeMonitoringData() {
    return this.monitor.takeMonitoringData();
  }

  /** Quota alerts raised since the last call. */
  takeAlerts(): AlertItem[] {
    return this.alertBuffer.splice(0);
  }

  /** Latest averaged usage of an instance, once the monitor has sampled it. */
  readUsage(instanceId: string): InstanceReading | undefined {
    return this.monitor.readLatest(instanceId);
  }

  /** The current unitStatus; also written to `<agent>/status.json` when it changed. */
  async status(target = expandTarget(this.desired)): Promise<MessageOf<'unitStatus'>> {
    const { current, observations } = await this.observe();
    this.isSettling = Object.values(observations.instances).some((runtime) => runtime.phase === 'starting');
    const status = buildUnitStatus({
      nodeId: this.nodeId,
      current,
      target,
      observations,
      records: this.records,
      ...(this.installing ? { installing: this.installing } : {}),
    });
    const text = JSON.stringify(status, null, 1);
    if (text !== this.lastStatusText) {
      this.lastStatusText = text;
      this.options.onStatus?.(status);
      await writeFileAtomic(`${this.paths.agent}/status.json`, text);
    }
    return status;
  }

  /** The daemon loop (invariants at the top of this file) until `stop()`. */
  async run(): Promise<void> {
    this.running = true;
    this.monitor.start();
    // `aos-agent apply` renames a new target.json into place: wake at once instead of at the next poll.
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(this.paths.agent, (_event, name) => {
        if (name === 'target.json') this.requestWake();
      });
    } catch {
      // No inotify: the poll interval still picks the target up.
    }
    let backoff = 0;
    while (this.running) {
      try {
        await this.reconcileOnce();
        backoff = 0;
      } catch (error) {
        backoff = Math.min(30_000, backoff === 0 ? 1000 : backoff * 2);
        this.log(`reconcile failed, retrying in ${backoff / 1000} s: ${describeError(error)}`);
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        if (this.isWakeRequested) return resolve();
        const timer = setTimeout(
          resolve,
          backoff || (this.isSettling ? Math.min(10, this.pollIntervalMs) : this.pollIntervalMs),
        );
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      this.isWakeRequested = false;
    }
    watcher?.close();
    // Nothing runs under the cgroup parent any more: remove it rather than leave it behind in every hierarchy.
    if (Object.keys(this.records.instances).length === 0) await this.removeCgroupParent();
  }

  /** Remove an instance's cgroup dirs in every hierarchy (errors are logged, never thrown). */
  private async removeInstanceCgroups(instanceId: string, cgroupsPath?: string): Promise<void> {
    await removeCgroupDirs(cgroupsPath || formatCgroupsPath(instanceId, this.runner.unit.cgroupParent), this.log).catch(
      (error: unknown) => this.log(`removing the cgroups of ${instanceId}: ${describeError(error)}`),
    );
  }

  /** Remove the (empty) cgroup parent dirs runc created; only the parent itself, another agent may share it. */
  private async removeCgroupParent(): Promise<void> {
    const parent = this.runner.unit.cgroupParent ?? DEFAULT_CGROUP_PARENT;
    const removed = await removeCgroupDirs(parent, this.log, { withChildren: false }).catch((error: unknown) => {
      this.log(`removing the cgroup parent ${parent}: ${describeError(error)}`);
      return [];
    });
    if (removed.length > 0) this.log(`removed the cgroup parent ${parent} (${removed.length} hierarchies)`);
  }

  /** Run the next pass now (or right after the current one). */
  private requestWake(): void {
    this.isWakeRequested = true;
    this.wake?.();
  }

  /** Stop the loop; containers keep running (a restarted agent re-adopts them). */
  stop(): void {
    this.running = false;
    this.monitor.stop();
    this.wake?.();
  }

  /** Path of an instance's current log file. */
  logPath(instanceId: string): string {
    return instancePaths(this.paths, instanceId).log;
  }

  /**
   * Remove everything the agent created: containers, rootfs mounts, the host root bind and,
   * if the agent mounted it, the storage filesystem. For tests and uninstall.
   */
  async destroy(): Promise<void> {
    this.stop();
    const ids = new Set([
      ...Object.keys(this.records.instances),
      ...(await this.runner.runc.list().catch(() => [])).map((container) => container.id),
    ]);
    for (const id of ids) {
      await stopContainer(this.runner, id).catch((error: unknown) => this.log(`destroy: ${describeError(error)}`));
      await unmountRootfs(instancePaths(this.paths, id)).catch(() => undefined);
      await this.removeInstanceCgroups(id, this.records.instances[id]?.cgroupsPath);
    }
    await this.removeCgroupParent();
    if (await isMountPoint(this.paths.hostRoot)) await runProgram('umount', ['-l', this.paths.hostRoot]);
    if (this.mountedStorage && (await isMountPoint(this.paths.root)))
      await runProgram('umount', ['-l', this.paths.root]);
  }
}
