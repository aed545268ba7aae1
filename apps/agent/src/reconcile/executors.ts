import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCgroupsPath } from '@openaos/spec';
import { describeError } from '../errors.js';
import { runInstallWorker } from '../install/run-install-worker.js';
import type { AgentRecords, InstanceRecord, InstanceState } from '../state.js';
import { allocateId, releaseId } from '../persist/id-pool.js';
import { removeInstanceCgroups } from '../runtime/remove-cgroups.js';
import { launchInstance, removeInstanceFiles, stopContainer, type RunnerContext } from '../runtime/instance-runner.js';
import type { Step, StepKind, StepOf } from './steps.js';

/** What executors may touch. They are the only code of the reconciler with side effects. */
export interface ExecutorContext {
  runner: RunnerContext;
  records: AgentRecords;
  /** Persist `records` (atomically); called before any action that depends on the change. */
  saveRecords(): Promise<void>;
  now(): number;
  log(message: string): void;
  /** Set while an install runs, for the status report. */
  setInstalling(manifestDigest: string | undefined): void;
  /** Publish the current status now (before a long step, so `installing` is visible). */
  reportStatus(): Promise<void>;
}

/** One executor per step kind; the mapped type makes a missing or mistyped one a compile error. */
export type Executors = { [K in StepKind]: (step: StepOf<K>, context: ExecutorContext) => Promise<void> };

/** Start times older than this are never needed by a restart policy (startInterval is seconds). */
const START_HISTORY_MS = 10 * 60_000;

async function launch(context: ExecutorContext, record: InstanceRecord): Promise<void> {
  const installed = context.records.installed[record.instance.manifestDigest];
  try {
    if (!installed) throw new Error(`version ${record.instance.version} is not installed`);
    const cgroupsPath = await launchInstance(context.runner, record, installed);
    if (cgroupsPath !== record.cgroupsPath) {
      record.cgroupsPath = cgroupsPath;
      await context.saveRecords();
    }
  } catch (error) {
    record.failed = { message: `starting: ${describeError(error)}` };
    await context.saveRecords();
    context.log(`start of ${record.instance.instanceId} failed: ${describeError(error)}`);
  }
}

function createRecord(context: ExecutorContext, instance: InstanceState): InstanceRecord {
  const { records } = context;
  const uid = allocateId(records.uids, instance.instanceId);
  records.uids = uid.pool;
  const gid = allocateId(records.gids, instance.serviceId);
  records.gids = gid.pool;
  return {
    instance,
    uid: uid.id,
    gid: gid.id,
    starts: [],
    cgroupsPath: formatCgroupsPath(instance.instanceId, context.runner.unit.cgroupParent),
  };
}

/** Remove unpacked layers and blobs no installed version refers to. */
async function collectGarbage(context: ExecutorContext): Promise<void> {
  const installed = Object.values(context.records.installed);
  const liveLayers = new Set(
    installed.flatMap((service) => service.layerDigests.map((digest) => digest.replace(/^sha256:/, ''))),
  );
  const liveBlobs = new Set(installed.flatMap((service) => service.blobDigests));
  const layersDir = context.runner.paths.layers;
  for (const entry of await readdir(layersDir).catch(() => [] as string[])) {
    if (!liveLayers.has(entry)) await rm(join(layersDir, entry), { recursive: true, force: true });
  }
  const unused: string[] = [];
  // Plain fs, so the daemon never loads the image code (installs run in a worker).
  const blobsDir = join(context.runner.paths.images, 'blobs', 'sha256');
  for (const name of await readdir(blobsDir).catch(() => [] as string[]))
    if (!liveBlobs.has(`sha256:${name}`)) unused.push(name);
  for (const name of unused) await rm(join(blobsDir, name), { force: true });
}

export const executors: Executors = {
  async 'install-service'(step, context) {
    const { service } = step;
    context.setInstalling(service.manifestDigest);
    await context.reportStatus().catch(() => undefined);
    try {
      const installed = await runInstallWorker(context.runner.paths, service);
      context.records.installed[service.manifestDigest] = installed;
      delete context.records.installFailures[service.manifestDigest];
      context.log(`installed ${service.serviceId}@${service.version}`);
    } catch (error) {
      const previous = context.records.installFailures[service.manifestDigest];
      context.records.installFailures[service.manifestDigest] = {
        error: { message: describeError(error) },
        at: context.now(),
        attempts: (previous?.attempts ?? 0) + 1,
      };
      context.log(`install of ${service.serviceId}@${service.version} failed: ${describeError(error)}`);
    } finally {
      context.setInstalling(undefined);
    }
    await context.saveRecords();
  },

  async 'start-instance'(step, context) {
    const record = createRecord(context, step.instance);
    record.starts.push(context.now());
    context.records.instances[step.instance.instanceId] = record;
    await context.saveRecords();
    await launch(context, record);
  },

  async 'restart-instance'(step, context) {
    const record = context.records.instances[step.instance.instanceId] ?? createRecord(context, step.instance);
    const now = context.now();
    record.starts = [...record.starts.filter((at) => at > now - START_HISTORY_MS), now];
    if (step.failedStarts > 0) record.failedStarts = step.failedStarts;
    else delete record.failedStarts;
    delete record.failed;
    context.records.instances[step.instance.instanceId] = record;
    await context.saveRecords();
    await launch(context, record);
  },

  async 'stop-instance'(step, context) {
    await stopContainer(context.runner, step.instanceId);
    delete context.records.instances[step.instanceId];
    await context.saveRecords();
  },

  async 'remove-instance'(step, context) {
    await stopContainer(context.runner, step.instanceId);
    await removeInstanceFiles(context.runner, step.instanceId);
    // The container is deleted; its cgroup dirs must not outlive it (runc misses them when its state is gone).
    await removeInstanceCgroups(
      context.runner.unit,
      step.instanceId,
      context.records.instances[step.instanceId]?.cgroupsPath,
      context.log,
    );
    delete context.records.instances[step.instanceId];
    context.records.uids = releaseId(context.records.uids, step.instanceId);
    await context.saveRecords();
  },

  async 'mark-instance-failed'(step, context) {
    const record = context.records.instances[step.instanceId];
    if (!record) return;
    record.failed = step.error;
    await context.saveRecords();
    context.log(`instance ${step.instanceId} failed: ${step.error.message}`);
  },

  async 'reject-version'(step, context) {
    const record = context.records.services[step.serviceId] ?? {};
    context.records.services[step.serviceId] = {
      ...record,
      rejected: { manifestDigest: step.manifestDigest, version: step.version, error: step.error },
    };
    await context.saveRecords();
    context.log(`rolling ${step.serviceId} back from ${step.version}: ${step.error.message}`);
  },

  async 'commit-version'(step, context) {
    context.records.services[step.serviceId] = { activeDigest: step.manifestDigest };
    await context.saveRecords();
    context.log(`${step.serviceId}@${step.version} is active`);
  },

  async 'remove-service-version'(step, context) {
    delete context.records.installed[step.manifestDigest];
    if (step.isLastVersion) {
      delete context.records.services[step.serviceId];
      context.records.gids = releaseId(context.records.gids, step.serviceId);
    }
    await context.saveRecords();
    await collectGarbage(context);
  },
};

/** Run the one executor of `step`'s kind. */
export async function executeStep(step: Step, context: ExecutorContext): Promise<void> {
  // The cast is safe: executors[step.kind] is the executor of exactly this kind.
  const executor = executors[step.kind] as (step: Step, context: ExecutorContext) => Promise<void>;
  await executor(step, context);
}
