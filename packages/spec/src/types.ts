import type { RuntimeSpec } from './runtime-spec.js';

/**
 * Inputs of the generator. The image and service config types are the structural subsets
 * of `OciImageConfig` / `AosServiceConfig` (@openaos/config) that the generator reads, so
 * either the full parsed documents or hand-built test objects can be passed.
 */

/** The fields of an OCI image config (`application/vnd.oci.image.config.v1+json`) we read. */
export interface SpecImageConfig {
  architecture: string;
  os: string;
  /** `User`, `Volumes`, `StopSignal`, `ExposedPorts`, `Labels` are ignored (seed deviation table). */
  config?: { Cmd?: string[]; Entrypoint?: string[]; Env?: string[]; WorkingDir?: string };
}

/** The fields of `service_config.json` (reference §3.3) we read. */
export interface SpecServiceConfig {
  skipResourceLimits?: boolean;
  hostname?: string;
  sysctl?: Record<string, string>;
  quotas?: {
    cpuLimit?: number;
    cpuDmipsLimit?: number;
    ramLimit?: number;
    pidsLimit?: number;
    noFileLimit?: number;
    tmpLimit?: number;
  };
  devices?: { name: string; permissions: string }[];
  resources?: string[];
}

/** One instance of a service on this unit (reference §4.3). */
export interface InstanceInfo {
  serviceId: string;
  subjectId: string;
  instanceIndex: number;
  /** Names the cgroup, the runtime directory and `AOS_INSTANCE_ID`. */
  instanceId: string;
  /** Per-instance UID (pool 5000–10000); the image `User` is ignored. Must not be 0. */
  uid: number;
  /** Per-service GID. Must not be 0. */
  gid: number;
  /** Host path of the prepared rootfs (absolute). */
  rootfsPath: string;
  /** Host file bind-mounted read-write on `/state.dat`. */
  statePath?: string;
  /** Host directory bind-mounted read-write on `/storage`. */
  storagePath?: string;
  /** `NAME=value` overrides applied last (cloud `overrideEnvVars`). */
  env?: string[];
  /** Network namespace prepared by the agent's network manager; joined when set. */
  networkNamespacePath?: string;
  /** The unit's hosts file, bound read-only on /etc/hosts (with `networkNamespacePath`). */
  hostsPath?: string;
}

/** A device of the unit that services may ask for by name (Aos unit config `devices[]`). */
export interface UnitDevice {
  name: string;
  /** `"/dev/x"` or `"/dev/x:/dev/y"` (host path : container path). */
  hostDevices: string[];
  /** Groups the process joins to use the device (`additionalGids`). */
  groups?: number[];
}

/** A resource of the unit (Aos unit config `resources[]`): mounts, env, groups, hosts. */
export interface UnitResource {
  name: string;
  groups?: number[];
  mounts?: { destination: string; type: string; source: string; options?: string[] }[];
  env?: string[];
  /** Lines for the instance `/etc/hosts`; the caller writes them (see `collectHostEntries`). */
  hosts?: { ip: string; hostname: string }[];
}

/** What the unit offers and how it runs containers. */
export interface UnitSettings {
  /** Number of CPU cores of the unit. */
  cpuCount: number;
  /** DMIPS of the whole unit; needed when a service sets `cpuDmipsLimit`. */
  maxDmips?: number;
  /** Architecture of the unit (`amd64`, `arm`, `arm64`); when set the image must match. */
  architecture?: string;
  devices?: UnitDevice[];
  resources?: UnitResource[];
  /** Parent of the instance cgroups; default `/openaos`, giving `/openaos/<instanceId>`. */
  cgroupParent?: string;
  /**
   * Whether the kernel accounts swap (cgroup v1 `memory.memsw.limit_in_bytes` exists). When
   * false the memory limit is set without the swap limit (runc fails on one otherwise). Default true.
   */
  swapAccounting?: boolean;
  /** cgroup version of the unit; 2 adds a cgroup namespace (as runc's example spec). Default 1. */
  cgroupVersion?: 1 | 2;
  /**
   * Share the host network namespace instead of giving the container its own (a unit
   * setting for development; a service cannot ask for it).
   */
  hostNetwork?: boolean;
  /**
   * Host paths bind-mounted read-only at the same place (reference §4.1 step 5). Default
   * `DEFAULT_HOST_MOUNTS`. Only those listed in `existingHostPaths` are mounted.
   */
  hostMounts?: string[];
}

/** A host device node as `stat` sees it; the caller resolves them (see `readHostDevices`). */
export interface HostDevice {
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

/** Everything `generateRuntimeSpec` needs. The generator does no I/O. */
export interface RuntimeSpecInput {
  imageConfig: SpecImageConfig;
  serviceConfig: SpecServiceConfig;
  instance: InstanceInfo;
  unit: UnitSettings;
  /** Host paths that exist (the caller checked); host mounts not listed are skipped. */
  existingHostPaths?: readonly string[];
  /** Host device nodes by host path, for the unit devices the service asks for. */
  hostDevices?: Readonly<Record<string, HostDevice>>;
}

/** One step of the construction: takes a spec, returns a new one. Never mutates its input. */
export type SpecStep = (spec: RuntimeSpec, input: RuntimeSpecInput) => RuntimeSpec;
