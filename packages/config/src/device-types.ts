/** Media type of the Aos service config blob referenced by the manifest's `aosService`. */
export const SERVICE_CONFIG_MEDIA_TYPE = 'application/vnd.aos.service.config.v1+json';

/** OCI image config (application/vnd.oci.image.config.v1+json). */
export interface OciImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: 'linux';
  config: {
    Cmd?: string[];
    Entrypoint?: string[];
    Env?: string[];
    WorkingDir?: string;
    ExposedPorts?: Record<string, Record<string, never>>;
  };
  rootfs: { type: 'layers'; diff_ids: string[] };
}

export interface AlertRule {
  /** ISO 8601 duration. */
  minTimeout: string;
  minThreshold: number;
  maxThreshold: number;
}

export interface AosServiceQuotas {
  /** Percent of the unit's CPU. */
  cpuLimit?: number;
  cpuDmipsLimit?: number;
  ramLimit?: number;
  pidsLimit?: number;
  noFileLimit?: number;
  tmpLimit?: number;
  stateLimit?: number;
  storageLimit?: number;
  uploadSpeed?: number;
  downloadSpeed?: number;
  uploadLimit?: number;
  downloadLimit?: number;
}

/** service_config.json as the device reads it (Go aostypes.ServiceConfig names, reference §3.3). */
export interface AosServiceConfig {
  created: string;
  author: string;
  skipResourceLimits: boolean;
  hostname?: string;
  balancingPolicy: 'enabled' | 'disabled';
  runners: string[];
  runParameters?: { startInterval?: string; startBurst?: number; restartInterval?: string };
  sysctl?: Record<string, string>;
  offlineTTL?: string;
  quotas: AosServiceQuotas;
  requestedResources?: { cpu?: number; ram?: number; storage?: number; state?: number };
  allowedConnections?: Record<string, Record<string, never>>;
  exposedPorts?: string[];
  devices?: { name: string; permissions: string }[];
  resources?: string[];
  permissions?: Record<string, Record<string, string>>;
  alertRules?: {
    ram?: AlertRule;
    cpu?: AlertRule;
    partitions?: (AlertRule & { name: string })[];
    download?: AlertRule;
    upload?: AlertRule;
  };
}
