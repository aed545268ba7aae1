import type { UnitStatus } from './formats/unit-status.js';
import type { UnitSettings } from '@openaos/spec';
import type { Step } from './reconcile/steps.js';
import type { LogLimits } from './runtime/log-writer.js';
import type { TrafficPeriod } from './network/traffic-accounting.js';

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
  /**
   * Instance networks (network/): the CNI plugins' directory (default /usr/lib/cni), the /16
   * the provider networks' subnets come from (default 172.29.0.0/16), the period of the traffic
   * caps (default a UTC day); `false`: loopback only.
   */
  network?: { cniBinDir?: string; subnetPool?: string; trafficPeriod?: TrafficPeriod } | false;
  /** Each instance's log: size cap and files kept (default 1 MiB, 3), enforced by its log writer. */
  logLimits?: LogLimits;
  /** SIGTERM → SIGKILL grace when stopping an instance (default 2000 ms). */
  stopTimeoutMs?: number;
  /** Pause between reconcile passes of the daemon loop (default 500 ms). */
  pollIntervalMs?: number;
  /** Called with each unitStatus that differs from the previous one (a subscriber's `onStatus`, full status). */
  onStatus?: (status: UnitStatus) => void;
  /** Monitoring poll period (default 10 s); the monitor runs while `run()` does. */
  monitoringPollMs?: number;
  /** Monitoring averaging window, AosEdge's `averageWindow` (default 3 polls): each sample is the mean over it. */
  monitoringAverageWindowMs?: number;
  log?: (message: string) => void;
}

/** A snapshot of one reconcile pass. */
export interface PassResult {
  steps: Step[];
  status: UnitStatus;
}
