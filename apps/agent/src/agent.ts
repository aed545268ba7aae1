/**
 * The agent: one per storage directory. It composes the parts and holds what they share — the
 * records — and does nothing itself:
 * - the target (persist/target-store.ts: `acceptTarget`, the one writer of target.json; the
 *   inbox for other processes),
 * - one reconcile pass (reconcile/run-pass.ts: observe → plan → execute, invariants there) and
 *   the daemon loop (reconcile/run-loop.ts: one pass at a time, backoff, wake; invariants there),
 * - status output (status/status-publisher.ts) and monitor wiring (status/agent-monitor.ts),
 *   both fed from each pass's last observation,
 * - start (storage/prepare-storage.ts, runtime/adopt-containers.ts) and teardown (tear-down.ts),
 * - subscribers (events.ts): the seam for the cloud link.
 */
import { availableParallelism } from 'node:os';
import type { DesiredStatus } from './formats/desired-status.js';
import type { AlertItem, MonitoringData } from './formats/monitoring.js';
import type { UnitStatus } from './formats/unit-status.js';
import type { AgentOptions, PassResult } from './agent-options.js';
import { AgentEvents, type AgentSubscriber } from './events.js';
import type { InstanceReading, Monitor } from './monitoring/index.js';
import { agentFiles, instancePaths, resolveStoragePaths, type AgentFiles, type StoragePaths } from './paths.js';
import { RecordsFile } from './persist/records-file.js';
import { acceptInbox } from './persist/target-inbox.js';
import { TargetStore } from './persist/target-store.js';
import { executeStep, type ExecutorContext } from './reconcile/executors.js';
import { expandTarget } from './reconcile/expand-target.js';
import { observeUnit, type Observed } from './reconcile/observe-unit.js';
import { NetworkManager } from './network/network-manager.js';
import { ReconcileLoop } from './reconcile/run-loop.js';
import { runPass } from './reconcile/run-pass.js';
import { describeStep, type Step } from './reconcile/steps.js';
import { adoptContainers } from './runtime/adopt-containers.js';
import type { RunnerContext } from './runtime/instance-runner.js';
import { removeCgroupParent } from './runtime/remove-cgroups.js';
import { DEFAULT_LOG_LIMITS } from './runtime/log-writer.js';
import { Runc } from './runtime/runc.js';
import type { AgentRecords, UnitState } from './state.js';
import { AgentMonitor } from './status/agent-monitor.js';
import { StatusPublisher } from './status/status-publisher.js';
import { ensureStorageMounted } from './storage/mount-storage.js';
import { prepareStorage } from './storage/prepare-storage.js';
import { tearDown } from './tear-down.js';

export class Agent {
  readonly paths: StoragePaths;
  readonly files: AgentFiles;
  private readonly runner: RunnerContext;
  private readonly recordsFile: RecordsFile;
  private readonly events: AgentEvents;
  private readonly publisher: StatusPublisher;
  private readonly monitoring: AgentMonitor;
  private readonly loop: ReconcileLoop;
  private readonly log: (message: string) => void;
  /** The manifest digest being installed, for the status. */
  private installing: string | undefined;
  /** An instance was starting at the end of the last pass: the loop polls fast so `active` is reported promptly. */
  private isSettling = false;
  /** The pass running now (or the last one): the next waits for it. */
  private passes: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly options: AgentOptions,
    private readonly hasMountedStorage: boolean,
    private readonly records: AgentRecords,
    private readonly targetStore: TargetStore,
  ) {
    this.paths = resolveStoragePaths(options.storageDir);
    this.files = agentFiles(this.paths);
    this.log = options.log ?? (() => undefined);
    this.recordsFile = new RecordsFile(this.files.records);
    this.runner = {
      paths: this.paths,
      runc: new Runc(this.paths.runc, options.runcBinary ?? 'runc'),
      unit: {
        cpuCount: availableParallelism(),
        ...(options.cgroupParent ? { cgroupParent: options.cgroupParent } : {}),
        ...options.unit,
      },
      stopTimeoutMs: options.stopTimeoutMs ?? 2000,
      logLimits: options.logLimits ?? DEFAULT_LOG_LIMITS,
      ...(options.network === false
        ? {}
        : {
            network: new NetworkManager({
              storageRoot: this.paths.root,
              directory: this.paths.network,
              ...options.network,
              log: this.log,
            }),
          }),
    };
    const network = this.runner.network;
    this.events = new AgentEvents(this.log);
    const { onStatus } = options;
    if (onStatus) this.events.subscribe({ onStatus: (full) => onStatus(full) });
    const nodeId = options.nodeId ?? 'main';
    this.publisher = new StatusPublisher(this.files.status, nodeId, this.events);
    this.monitoring = new AgentMonitor({
      nodeId,
      cpuCount: this.runner.unit.cpuCount,
      ...(this.runner.unit.maxDmips ? { maxDmips: this.runner.unit.maxDmips } : {}),
      paths: this.paths,
      usagePath: this.files.usage,
      pollPeriodMs: options.monitoringPollMs ?? 10_000,
      ...(options.monitoringAverageWindowMs ? { averageWindowMs: options.monitoringAverageWindowMs } : {}),
      events: this.events,
      log: this.log,
      ...(network ? { readTraffic: () => network.meterTraffic() } : {}),
    });
    this.loop = new ReconcileLoop({
      runPass: async () => {
        await this.reconcileOnce();
        return { isSettling: this.isSettling };
      },
      pollIntervalMs: options.pollIntervalMs ?? 500,
      wakeOnChangesIn: this.files.inbox,
      log: this.log,
    });
  }

  /**
   * Open the agent on its storage: mount it if needed, prepare it (dirs, host root, no leftovers
   * of interrupted installs), load records and target, and re-adopt containers: those with a
   * record are kept running as they are; containers runc knows without a record are deleted.
   */
  static async open(options: AgentOptions): Promise<Agent> {
    const { mounted } = await ensureStorageMounted(options.storageDir, {
      ...(options.storageSize !== undefined ? { size: options.storageSize } : {}),
      ...(options.storageImage ? { image: options.storageImage } : {}),
    });
    const paths = resolveStoragePaths(options.storageDir);
    const files = agentFiles(paths);
    const log = options.log ?? (() => undefined);
    await prepareStorage(paths, log);
    const records = await new RecordsFile(files.records).load();
    const agent = new Agent(options, mounted, records, await TargetStore.open(files.target));
    await adoptContainers(agent.runner, records, log);
    // Networks of instances that are gone (removed while the agent was down, interrupted
    // attaches) are undone; the firewall is rebuilt from the records.
    await agent.runner.network?.restore(Object.keys(records.instances));
    return agent;
  }

  /**
   * Accept a desired status (from the cloud link, a test, or the inbox): merged with the previous
   * one (absent lists are kept), persisted before anything acts on it, then the loop wakes.
   */
  async acceptTarget(desired: DesiredStatus): Promise<DesiredStatus> {
    const accepted = await this.targetStore.acceptTarget(desired);
    this.loop.wake();
    return accepted;
  }

  /** The accepted target (undefined before the first). */
  get target(): DesiredStatus | undefined {
    return this.targetStore.current;
  }

  /** Be told of status changes, alerts and monitoring polls; returns the unsubscribe function. */
  subscribe(subscriber: AgentSubscriber): () => void {
    return this.events.subscribe(subscriber);
  }

  /**
   * One reconcile: accept what waits in the inbox, then one pass (observe → plan → execute until
   * the plan is empty), then feed the monitor and the status from the pass's last observation.
   * Calls queue behind each other (the loop's and a test's or bench's): one pass at a time.
   */
  reconcileOnce(): Promise<PassResult> {
    const pass = this.passes.then(() => this.reconcile());
    this.passes = pass.catch(() => undefined);
    return pass;
  }

  private async reconcile(): Promise<PassResult> {
    await acceptInbox(this.files.inbox, (desired) => this.targetStore.acceptTarget(desired), this.log);
    const target = expandTarget(this.targetStore.current);
    const { steps, observed } = await runPass({
      target,
      observe: () => observeUnit(this.runner, this.records, Date.now()),
      execute: (step, planned) => this.execute(step, target, planned),
    });
    await this.monitoring.sync(this.records, observed.observations);
    this.isSettling = Object.values(observed.observations.instances).some((runtime) => runtime.phase === 'starting');
    const status = await this.publish(target, observed);
    return { steps, status };
  }

  private async execute(step: Step, target: UnitState, planned: Observed): Promise<void> {
    this.log(describeStep(step));
    const context: ExecutorContext = {
      runner: this.runner,
      records: this.records,
      saveRecords: () => this.recordsFile.save(this.records),
      now: () => Date.now(),
      log: this.log,
      setInstalling: (digest) => {
        this.installing = digest;
      },
      reportStatus: async () => {
        await this.publish(target, planned);
      },
    };
    await executeStep(step, context);
  }

  private publish(target: UnitState, observed: Observed): Promise<UnitStatus> {
    return this.publisher.publish({
      current: observed.current,
      target,
      observations: observed.observations,
      records: this.records,
      ...(this.installing ? { installing: this.installing } : {}),
    });
  }

  /** The last unitStatus the agent published (after each pass); undefined before the first pass. */
  status(): UnitStatus | undefined {
    return this.publisher.latest;
  }

  /** The daemon loop (reconcile/run-loop.ts) until `stop()`, with the monitor running. */
  async run(): Promise<void> {
    this.monitoring.start();
    await this.loop.run();
    // Nothing runs under the cgroup parent any more: remove it rather than leave it behind in every hierarchy.
    if (Object.keys(this.records.instances).length === 0) await removeCgroupParent(this.runner.unit, this.log);
  }

  /** Stop the loop (after its current pass) and the monitor; containers keep running. */
  stop(): void {
    this.loop.stop();
    this.monitoring.stop();
  }

  /** The instances' networks (./network), unless the agent runs without (`network: false`). */
  get network(): NetworkManager | undefined {
    return this.runner.network;
  }

  /** The monitor of the running instances (./monitoring). */
  get monitor(): Monitor {
    return this.monitoring.monitor;
  }

  /** Buffered monitoring data (v6 monitoringData) since the last call. */
  takeMonitoringData(): MonitoringData {
    return this.monitoring.takeMonitoringData();
  }

  /** Quota alerts raised since the last call. */
  takeAlerts(): AlertItem[] {
    return this.monitoring.takeAlerts();
  }

  /** Latest averaged usage of an instance, once the monitor has sampled it. */
  readUsage(instanceId: string): InstanceReading | undefined {
    return this.monitoring.readUsage(instanceId);
  }

  /** Path of an instance's current log file. */
  logPath(instanceId: string): string {
    return instancePaths(this.paths, instanceId).log;
  }

  /** Stop, then remove everything the agent created (tear-down.ts). For tests and uninstall. */
  async destroy(): Promise<void> {
    this.stop();
    await tearDown({
      runner: this.runner,
      records: this.records,
      hasMountedStorage: this.hasMountedStorage,
      log: this.log,
    });
  }
}
