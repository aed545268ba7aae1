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
  /** Agent records: target.json, records.json, status.json. */
  agent: string;
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
  };
}

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
