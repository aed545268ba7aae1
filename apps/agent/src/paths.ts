import { join } from 'node:path';

/**
 * Layout of the agent's storage filesystem. Everything lives on ONE filesystem separate from
 * the host root, because overlayfs refuses a lower layer (the host root bind) that overlaps
 * the layer, upper and work directories.
 */
export interface StoragePaths {
  root: string;
  /** Content-addressed blobs: `<images>/blobs/sha256/<hex>` (BlobStore root). */
  images: string;
  /** Unpacked layers: `<layers>/<hex>/`, `<hex>.tmp/` while extracting. */
  layers: string;
  /** Non-recursive bind mount of the host `/`. */
  hostRoot: string;
  /** Char 0:0 whiteouts for every host top-level entry that must not show through. */
  whiteouts: string;
  /** Per-instance runtime: bundle, overlay dirs, logs, exit status. */
  instances: string;
  /** Per-instance persistent storage dirs (`/storage` in the container). */
  storage: string;
  /** Per-instance state files (`/state.dat`). */
  state: string;
  /** runc --root. */
  runc: string;
  /** The agent's own files (see `agentFiles`). */
  agent: string;
  /** Sized ext4 images of the instances' storage and state (storage/instance-volumes.ts). */
  volumes: string;
  /** The network manager's records, IPAM leases and the unit's hosts file (network/). */
  network: string;
  /** Blobs the cloud link downloads (`blobs/sha256/<hex>`, verified) and `partial/<hex>` (resumable). */
  downloads: string;
}

export function resolveStoragePaths(root: string): StoragePaths {
  return {
    root,
    images: join(root, 'images'),
    layers: join(root, 'layers'),
    hostRoot: join(root, 'hostfs', 'root'),
    whiteouts: join(root, 'hostfs', 'whiteouts'),
    instances: join(root, 'instances'),
    storage: join(root, 'storage'),
    state: join(root, 'state'),
    runc: join(root, 'runc'),
    agent: join(root, 'agent'),
    downloads: join(root, 'downloads'),
    volumes: join(root, 'volumes'),
    network: join(root, 'network'),
  };
}

/**
 * The agent's own files under `<agent>/`: the one place their names are spelled, for the daemon
 * and for the commands that read them (`apply`, `status`, `logs`) in other processes.
 */
export function agentFiles(paths: StoragePaths) {
  return {
    /** The accepted desired status; its one writer is `acceptTarget` (persist/target-store.ts). */
    target: join(paths.agent, 'target.json'),
    /** Desired statuses handed over by other processes (`aos-agent apply`), accepted oldest first. */
    inbox: join(paths.agent, 'inbox'),
    /** What is installed and running (persist/records-file.ts), written before it counts. */
    records: join(paths.agent, 'records.json'),
    /** The last unitStatus, rewritten when it changes. */
    status: join(paths.agent, 'status.json'),
    /** The monitor's latest CPU/RAM per instance. */
    usage: join(paths.agent, 'usage.json'),
    /** The running daemon's pid. */
    daemonPid: join(paths.agent, 'daemon.pid'),
    /**
     * The cloud link's last applied desired status (generation, digest, image index → manifest).
     * Beside target.json, so the two are lost together (a tmpfs storage after a reboot).
     */
    cloudApplied: join(paths.agent, 'cloud-applied.json'),
    /** The cloud link's state (connected or not, since when, why), for `aos-agent status`. */
    cloudLink: join(paths.agent, 'cloud-link.json'),
    /** Monitoring batches not yet acked by the cloud (link/monitoring-buffer.ts), kept across restarts. */
    monitoringOutbox: join(paths.agent, 'monitoring-outbox.json'),
  };
}
export type AgentFiles = ReturnType<typeof agentFiles>;

/** Files of one instance under `<instances>/<instanceId>/`. */
export function instancePaths(paths: StoragePaths, instanceId: string) {
  const dir = join(paths.instances, instanceId);
  return {
    dir,
    bundle: dir,
    config: join(dir, 'config.json'),
    rootfs: join(dir, 'rootfs'),
    mounts: join(dir, 'mounts'),
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    pidFile: join(dir, 'container.pid'),
    exitStatus: join(dir, 'exit-status'),
    logDir: join(dir, 'logs'),
    log: join(dir, 'logs', 'current.log'),
    storageDir: join(paths.storage, instanceId),
    stateFile: join(paths.state, instanceId, 'state.dat'),
  };
}
export type InstancePaths = ReturnType<typeof instancePaths>;
