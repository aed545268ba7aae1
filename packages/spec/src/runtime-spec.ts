/**
 * The subset of the OCI runtime-spec 1.0.2 `config.json` (Linux) that OpenAos writes.
 * Field names are the spec's JSON names. Kept as plain data: the generator builds new
 * objects and never shares arrays between the input and the output.
 */
export interface RuntimeSpec {
  ociVersion: string;
  root: { path: string; readonly?: boolean };
  process: RuntimeProcess;
  hostname?: string;
  mounts: RuntimeMount[];
  linux: RuntimeLinux;
  annotations?: Record<string, string>;
}

export interface RuntimeProcess {
  terminal: boolean;
  user: { uid: number; gid: number; umask?: number; additionalGids?: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities: {
    bounding: string[];
    effective: string[];
    inheritable: string[];
    permitted: string[];
    ambient: string[];
  };
  rlimits: RuntimeRlimit[];
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
}

export interface RuntimeRlimit {
  type: string;
  soft: number;
  hard: number;
}

export interface RuntimeMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export type NamespaceType = 'pid' | 'network' | 'ipc' | 'uts' | 'mount' | 'user' | 'cgroup';

export interface RuntimeNamespace {
  type: NamespaceType;
  path?: string;
}

export interface RuntimeDevice {
  type: 'c' | 'b' | 'u' | 'p';
  path: string;
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface RuntimeDeviceRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access?: string;
}

export interface RuntimeResources {
  devices: RuntimeDeviceRule[];
  memory?: { limit?: number; swap?: number };
  cpu?: { quota?: number; period?: number };
  pids?: { limit: number };
}

export interface RuntimeLinux {
  namespaces: RuntimeNamespace[];
  devices?: RuntimeDevice[];
  cgroupsPath?: string;
  resources: RuntimeResources;
  sysctl?: Record<string, string>;
  maskedPaths: string[];
  readonlyPaths: string[];
}
