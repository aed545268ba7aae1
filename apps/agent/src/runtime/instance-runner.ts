import { watch, type FSWatcher } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AosServiceConfig, OciImageConfig } from '@openaos/config';
import { findExistingHostPaths, generateRuntimeSpec, listHostMounts, type UnitSettings } from '@openaos/spec';
import { layerDirectory } from '../install/layer-paths.js';
import { DEFAULT_PROVIDER, type NetworkManager } from '../network/network-manager.js';
import { prepareInstanceVolumes, removeInstanceVolumes } from '../storage/instance-volumes.js';
import type { InstalledService, InstanceRecord, InstanceRuntime } from '../state.js';
import { instancePaths, type StoragePaths } from '../paths.js';
import type { Runc } from './runc.js';
import { prepareRootfs, unmountRootfs } from './rootfs.js';
import type { LogLimits } from './log-writer.js';
import { SHIM_MOUNT_FAILED, spawnShim } from './spawn-shim.js';

export interface RunnerContext {
  paths: StoragePaths;
  runc: Runc;
  unit: UnitSettings;
  /** Grace between SIGTERM and SIGKILL when stopping. */
  stopTimeoutMs: number;
  /** Size cap and file count of each instance's log (taken by its log writer at start). */
  logLimits: LogLimits;
  /** Networks of the instances; without it (or with `unit.hostNetwork`) an instance has loopback only. */
  network?: NetworkManager;
}

/** How long a start waits for runc to create the container before the loop moves on. */
const START_WAIT_MS = 2000;
/** A start that has shown no pid after this long is considered lost. */
const START_GRACE_MS = 15_000;

async function readTextFile(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** oom_kill counter of the instance's memory cgroup (cgroup v1), still there until `runc delete`. */
export async function readOomKills(cgroupsPath: string): Promise<number> {
  const text = await readTextFile(join('/sys/fs/cgroup/memory', cgroupsPath, 'memory.oom_control'));
  const match = text?.match(/^oom_kill (\d+)$/m);
  return match ? Number(match[1]) : 0;
}

/** How much of the log's end is searched for runc's error. */
const START_ERROR_TAIL_BYTES = 4096;

/**
 * runc's last error in the instance's log (`level=error msg="runc run failed: …"`), without its
 * `runc run failed: unable to start container process: ` prefix; undefined when there is none.
 */
export async function readStartError(logPath: string): Promise<string | undefined> {
  let tail: string;
  try {
    const file = await open(logPath, 'r');
    try {
      const { size } = await file.stat();
      const length = Math.min(size, START_ERROR_TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, size - length);
      tail = buffer.toString('utf8');
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  const messages = [...tail.matchAll(/level=error msg="((?:[^"\\]|\\.)*)"/g)].map((match) => match[1] ?? '');
  const last = messages.at(-1);
  if (last === undefined) return undefined;
  return last
    .replace(/\\(.)/g, '$1')
    .replace(/^runc (run|create) failed: /, '')
    .replace(/^unable to start container process: /, '');
}

/**
 * What the instance's container is doing, read from disk only (exit-status, pid file,
 * /proc, cgroup): cheap enough for every pass and equally valid after an agent restart.
 */
export async function observeInstance(
  context: RunnerContext,
  record: InstanceRecord,
  now: number,
): Promise<InstanceRuntime> {
  const paths = instancePaths(context.paths, record.instance.instanceId);
  const base = {
    starts: record.starts,
    ...(record.failedStarts ? { failedStarts: record.failedStarts } : {}),
    ...(record.failed ? { failed: record.failed } : {}),
  };
  const exitText = await readTextFile(paths.exitStatus);
  if (exitText !== undefined) {
    const code = Number.parseInt(exitText.trim(), 10);
    // The loop may delete the file between the two reads (status() runs beside it).
    const at = await stat(paths.exitStatus).then(
      (info) => info.mtimeMs,
      () => now,
    );
    const oomKilled = (await readOomKills(record.cgroupsPath)) > 0;
    // runc writes the pid file once the container's process runs: without one, runc itself failed.
    const startError =
      code !== SHIM_MOUNT_FAILED && (await readTextFile(paths.pidFile)) === undefined
        ? await readStartError(paths.log)
        : undefined;
    return {
      ...base,
      phase: 'exited',
      exit: {
        at,
        oomKilled,
        ...(Number.isNaN(code) ? {} : { exitCode: code }),
        ...(startError ? { startError } : {}),
      },
    };
  }
  const lastStart = record.starts.at(-1) ?? 0;
  const pidText = await readTextFile(paths.pidFile);
  const pid = pidText ? Number.parseInt(pidText, 10) : Number.NaN;
  if (!Number.isNaN(pid) && isProcessAlive(pid)) return { ...base, phase: 'running' };
  // Between the container's exit and the shim's exit-status write, or a start in progress.
  if (
    now - lastStart < START_GRACE_MS ||
    (!Number.isNaN(pid) &&
      now -
        (await stat(paths.pidFile).then(
          (info) => info.mtimeMs,
          () => 0,
        )) <
        2000)
  )
    return { ...base, phase: 'starting' };
  return { ...base, phase: 'missing' };
}

/** Delete whatever is left of the instance's previous container: runc state, rootfs mount, pid/exit files. */
export async function cleanupContainer(context: RunnerContext, instanceId: string): Promise<void> {
  const paths = instancePaths(context.paths, instanceId);
  // runc keeps a state dir per container; without one there is nothing to delete (saves a spawn).
  if (
    await stat(join(context.runc.root, instanceId)).then(
      () => true,
      () => false,
    )
  )
    await context.runc.delete(instanceId);
  await unmountRootfs(paths);
  await rm(paths.exitStatus, { force: true });
  await rm(paths.pidFile, { force: true });
}

/**
 * Start one instance: fresh rootfs overlay, config.json from @openaos/spec, then the shim
 * (runc run) in its own session. Returns the spec's cgroupsPath. The caller has recorded the
 * instance (and this start) BEFORE calling, so a crash here is seen on restart.
 */
export async function launchInstance(
  context: RunnerContext,
  record: InstanceRecord,
  installed: InstalledService,
): Promise<string> {
  const { instance } = record;
  const paths = instancePaths(context.paths, instance.instanceId);
  await cleanupContainer(context, instance.instanceId);
  const imageConfig = installed.imageConfig as OciImageConfig;
  const serviceConfig = installed.serviceConfig as AosServiceConfig;
  await mkdir(paths.logDir, { recursive: true });
  const overlay = await prepareRootfs(context.paths, paths, {
    isMounted: false,
    layerDirs: installed.layerDigests.map((digest) => layerDirectory(context.paths, digest)),
    ...(serviceConfig.hostname ? { hostname: serviceConfig.hostname } : {}),
  });
  const isLimited = serviceConfig.skipResourceLimits !== true;
  const quotas = serviceConfig.quotas ?? {};
  const volumes = await prepareInstanceVolumes({
    volumesDir: context.paths.volumes,
    instanceId: instance.instanceId,
    storageDir: paths.storageDir,
    stateFile: paths.stateFile,
    ...(quotas.storageLimit !== undefined ? { storageLimit: quotas.storageLimit } : {}),
    ...(quotas.stateLimit !== undefined ? { stateLimit: quotas.stateLimit } : {}),
    isLimited,
    uid: record.uid,
    gid: record.gid,
  });
  const network =
    context.network && context.unit.hostNetwork !== true
      ? await context.network.attach({
          instanceId: instance.instanceId,
          serviceId: instance.serviceId,
          providerId: instance.providerId ?? DEFAULT_PROVIDER,
          ...(serviceConfig.hostname ? { hostname: serviceConfig.hostname } : {}),
          exposedPorts: serviceConfig.exposedPorts ?? [],
          allowedConnections: Object.keys(serviceConfig.allowedConnections ?? {}),
          ...(isLimited && quotas.uploadSpeed ? { uploadSpeed: quotas.uploadSpeed } : {}),
          ...(isLimited && quotas.downloadSpeed ? { downloadSpeed: quotas.downloadSpeed } : {}),
          ...(isLimited && quotas.uploadLimit ? { uploadLimit: quotas.uploadLimit } : {}),
          ...(isLimited && quotas.downloadLimit ? { downloadLimit: quotas.downloadLimit } : {}),
        })
      : undefined;
  const spec = generateRuntimeSpec({
    imageConfig,
    serviceConfig,
    instance: {
      serviceId: instance.serviceId,
      subjectId: instance.subjectId,
      instanceIndex: instance.index,
      instanceId: instance.instanceId,
      uid: record.uid,
      gid: record.gid,
      rootfsPath: paths.rootfs,
      ...(volumes.stateFile ? { statePath: volumes.stateFile } : {}),
      ...(volumes.storageDir ? { storagePath: volumes.storageDir } : {}),
      ...(network && context.network
        ? { networkNamespacePath: network.netnsPath, hostsPath: context.network.hostsPath }
        : {}),
    },
    unit: context.unit,
    existingHostPaths: await findExistingHostPaths(listHostMounts(context.unit)),
  });
  await writeFile(paths.config, JSON.stringify(spec, null, 1));
  spawnShim({
    runcBinary: context.runc.binary,
    runcRoot: context.runc.root,
    bundle: paths.bundle,
    pidFile: paths.pidFile,
    containerId: instance.instanceId,
    log: paths.log,
    logLimits: context.logLimits,
    exitStatus: paths.exitStatus,
    overlay: { options: overlay, rootfs: paths.rootfs },
  });
  // Wait (briefly) for runc to create the container, so the next observation sees the
  // outcome and `active` is reported without waiting for another pass.
  await waitForFile(paths.dir, [paths.pidFile, paths.exitStatus], START_WAIT_MS);
  return spec.linux?.cgroupsPath ?? '';
}

/**
 * Resolve once one of `files` (all in `directory`) exists, or after `timeoutMs`. inotify
 * (fs.watch) wakes us as soon as runc writes the file, without polling beside runc for CPU.
 */
async function waitForFile(directory: string, files: string[], timeoutMs: number): Promise<boolean> {
  const exists = async () =>
    (
      await Promise.all(
        files.map((file) =>
          stat(file).then(
            () => true,
            () => false,
          ),
        ),
      )
    ).some(Boolean);
  if (await exists()) return true;
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    const finish = (found: boolean) => {
      clearTimeout(timer);
      clearInterval(poll);
      watcher?.close();
      resolve(found);
    };
    const check = () => void exists().then((found) => found && finish(true));
    const timer = setTimeout(() => finish(false), timeoutMs);
    // A slow poll as well: a watch can miss the rename of a file created just before it started.
    const poll = setInterval(check, 100);
    try {
      watcher = watch(directory, check);
    } catch {
      // Without inotify the poll alone does.
    }
    check();
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Stop the container (SIGTERM, then SIGKILL after the grace), wait for the shim, clean up. */
export async function stopContainer(context: RunnerContext, instanceId: string): Promise<void> {
  const paths = instancePaths(context.paths, instanceId);
  const state = await context.runc.state(instanceId).catch(() => undefined);
  const hasExited = () =>
    stat(paths.exitStatus).then(
      () => true,
      () => false,
    );
  if (state && (state.status === 'running' || state.status === 'created' || state.status === 'paused')) {
    await context.runc.kill(instanceId, 'SIGTERM').catch(() => undefined);
    if (!(await waitFor(hasExited, context.stopTimeoutMs))) {
      await context.runc.kill(instanceId, 'SIGKILL').catch(() => undefined);
      await waitFor(hasExited, 3000);
    }
  }
  await cleanupContainer(context, instanceId);
}

/** Remove every file of the instance: runtime dir (logs included), network, storage and state volumes. */
export async function removeInstanceFiles(context: RunnerContext, instanceId: string): Promise<void> {
  const paths = instancePaths(context.paths, instanceId);
  await context.network?.detach(instanceId);
  await removeInstanceVolumes({
    volumesDir: context.paths.volumes,
    instanceId,
    storageDir: paths.storageDir,
    stateFile: paths.stateFile,
  });
  await rm(paths.dir, { recursive: true, force: true });
  await rm(paths.storageDir, { recursive: true, force: true });
  await rm(dirname(paths.stateFile), { recursive: true, force: true });
}
