/**
 * The agent's state types, shared by every part (reconcile, runtime, status, persist, cli): the
 * one shape of the current and target states, what a pass observes, and what is recorded
 * across restarts (records.json). Types, and the restart-policy defaults.
 */
import type { ErrorInfo } from './formats/error-info.js';

/** Restart policy of a service (reference §4.4), in milliseconds. */
export interface RunParameters {
  startIntervalMs: number;
  startBurst: number;
  restartIntervalMs: number;
}

/** AosEdge defaults: startInterval 5 s, startBurst 3, restartInterval 1 s. */
export const DEFAULT_RUN_PARAMETERS: RunParameters = { startIntervalMs: 5000, startBurst: 3, restartIntervalMs: 1000 };

/** One version of a service, named by its image manifest digest. */
export interface ServiceVersion {
  serviceId: string;
  version: string;
  manifestDigest: string;
  /** Blob sources (target only; empty in the current state). */
  urls: string[];
  /** Size of the manifest blob, when the desired status gives it. */
  size?: number;
  /** Known once installed (from the image's service_config.json). */
  runParameters?: RunParameters;
  /** The service provider (AosEdge `providerId`, v7 `owner`): its instances share one network. */
  providerId?: string;
  /** Target only: the desired status marks this version as an intended rollback (it may be older than the committed one). */
  isRollback?: boolean;
}

/** One instance `(serviceId, subjectId, index)` running one service version. */
export interface InstanceState {
  instanceId: string;
  serviceId: string;
  subjectId: string;
  index: number;
  priority: number;
  version: string;
  manifestDigest: string;
  /** The service's provider (network); absent: the unit's `default` network. */
  providerId?: string;
}

/**
 * The one shape of both the current state (what is installed, which instances exist) and the
 * target state (the persisted desired status, expanded into instances).
 */
export interface UnitState {
  services: ServiceVersion[];
  instances: InstanceState[];
}

/** Persisted per-service facts the planner needs beyond the two states. */
export interface ServiceRecord {
  /** The committed version: the one that reached `active` and stayed there. */
  activeDigest?: string;
  /** A version that could not run; the service falls back to `activeDigest`. */
  rejected?: { manifestDigest: string; version: string; error: ErrorInfo };
}

/** What the agent saw of one instance's container on this pass. */
export interface InstanceRuntime {
  phase: 'starting' | 'running' | 'exited' | 'missing';
  /** Start times (ms) of the recent starts, oldest first. */
  starts: number[];
  /** Failed starts in a row before the current run (see InstanceRecord.failedStarts). */
  failedStarts?: number;
  /** `startError`: runc's own error when it could not start the container (e.g. its program is missing). */
  exit?: { at: number; exitCode?: number; oomKilled: boolean; startError?: string };
  /** Set once the restart policy gave up; cleared by a new version. */
  failed?: ErrorInfo;
}

export interface InstallFailure {
  error: ErrorInfo;
  at: number;
  attempts: number;
}

/** Everything observed or recorded that is not part of the current/target states. */
export interface Observations {
  now: number;
  services: Readonly<Record<string, ServiceRecord>>;
  instances: Readonly<Record<string, InstanceRuntime>>;
  installFailures: Readonly<Record<string, InstallFailure>>;
}

/** A service version whose blobs are verified and layers unpacked: safe to run. */
export interface InstalledService {
  serviceId: string;
  version: string;
  manifestDigest: string;
  /** Compressed layer digests, manifest order (service rootfs layer first = top). */
  layerDigests: string[];
  /** Every blob of the image (manifest, config, aosService, layers), for garbage collection. */
  blobDigests: string[];
  runParameters: RunParameters;
  /** The verified image config and service_config.json, kept to start instances quickly. */
  imageConfig: unknown;
  serviceConfig: unknown;
  installedAt: string;
}

/** An instance the agent created and has not removed. */
export interface InstanceRecord {
  instance: InstanceState;
  uid: number;
  gid: number;
  /** Start times (ms), recent ones only. */
  starts: number[];
  /**
   * Runs in a row, before the current one, that ended as failed starts: exited within
   * `startInterval` of their start, or before their version was committed. `startBurst` of them
   * fail the instance however long each run took (a slow crash loop never fits the burst window).
   */
  failedStarts?: number;
  failed?: ErrorInfo;
  /** linux.cgroupsPath of the running version, to read memory.oom_control after an exit. */
  cgroupsPath: string;
}

/** Everything the agent must remember across restarts besides the target. */
export interface AgentRecords {
  formatVersion: 1;
  services: Record<string, ServiceRecord>;
  installed: Record<string, InstalledService>;
  instances: Record<string, InstanceRecord>;
  uids: Record<string, number>;
  gids: Record<string, number>;
  installFailures: Record<string, InstallFailure>;
}
