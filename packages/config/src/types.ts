/** Parsed `meta/config.yaml` (schema v1). Field names are exactly the YAML names. */

export interface PublisherSection {
  author?: string;
  company?: string;
}

/** How symlinks in the source folder are handled when packing (aos-signer `build.symlinks`). */
export type SymlinkPolicy = 'copy' | 'delete' | 'raise';

export interface BuildSection {
  os?: string;
  arch?: string;
  /** PKCS#12 with the SP user's key and certificate (relative to meta/ or ~/.aos/security/). */
  sign_pkcs12?: string;
  /** Legacy alternative to sign_pkcs12: PEM key + PEM certificate. */
  sign_key?: string;
  sign_certificate?: string;
  /** Default 'copy'. */
  symlinks: SymlinkPolicy;
  /** Legacy aos-signer option, kept for round-tripping; not used by OpenAos. */
  remove_non_regular_files?: boolean;
  /** Legacy aos-signer option ("root path to the service sources"). */
  context?: string;
  /** Default 'src'. */
  source_folder: string;
  /** Default '.'. */
  package_folder: string;
}

export interface PublishSection {
  /** Cloud host without scheme, e.g. "aoscloud.io". */
  url?: string;
  /** Service UUID from the cloud (required for signing). */
  service_uid?: string;
  tls_pkcs12?: string;
  tls_key?: string;
  tls_certificate?: string;
  /** SemVer vendor version (required for signing). */
  version?: string;
}

/** A layer reference; string entries in YAML become `{ uid }`. */
export interface LayerReference {
  uid: string;
  minVersion?: string;
  maxVersion?: string;
}

export type Runner = 'runc' | 'crun' | 'runx' | 'xrun';

export interface StateSettings {
  /** Default 'state.dat'. */
  filename: string;
  /** Default false. When true, meta/<filename> is shipped as default_state.dat. */
  required: boolean;
}

export interface InstanceSettings {
  minInstances?: number;
  /** 0..1000000000, 0 lowest. */
  priority?: number;
  labels?: string[];
}

export interface RunParameters {
  /** ISO 8601 duration. */
  startInterval?: string;
  startBurst?: number;
  /** ISO 8601 duration. */
  restartInterval?: string;
}

/** Quotas; sizes are bytes, `cpu` is a percent of the unit's CPU. */
export interface Quotas {
  cpu?: number;
  mem?: number;
  state?: number;
  storage?: number;
  upload_speed?: number;
  download_speed?: number;
  upload?: number;
  download?: number;
  temp?: number;
}

/** Scheduler reservations; ram/storage/state are bytes, cpu as given. */
export interface RequestedResources {
  cpu?: number;
  ram?: number;
  storage?: number;
  state?: number;
}

export interface AlertSetting {
  /** ISO 8601 duration. */
  minTime: string;
  minThreshold: number;
  maxThreshold: number;
}

export interface AlertSettings {
  ram?: AlertSetting;
  cpu?: AlertSetting;
  storage?: AlertSetting;
  upload?: AlertSetting;
  download?: AlertSetting;
}

export interface DeviceRequest {
  name: string;
  /** e.g. 'r', 'rw', 'rwm'. */
  mode: string;
}

export interface ServiceConfiguration {
  /** A string is split like a shell splits words when translated (see toImageConfig). */
  cmd?: string | string[];
  workingDir?: string;
  state?: StateSettings;
  layers?: LayerReference[];
  /** "NAME=value" entries. */
  env?: string[];
  instances?: InstanceSettings;
  runParameters?: RunParameters;
  /** ISO 8601 duration. */
  offlineTTL?: string;
  /** ISO 8601 duration. */
  downloadTTL?: string;
  /** Default true. */
  isResourceLimits: boolean;
  /** Legacy single runner. */
  runner?: Runner;
  runners?: Runner[];
  /** Default 'enabled'. */
  balancingPolicy: 'enabled' | 'disabled';
  hostname?: string;
  /** Normalised to strings: "8080", "8089-8090/tcp", "1515/udp". */
  exposedPorts?: string[];
  /** "<service UUID>/<port or from-to>/<tcp|udp>". */
  allowedConnections?: string[];
  quotas?: Quotas;
  requestedResources?: RequestedResources;
  alerts?: AlertSettings;
  devices?: DeviceRequest[];
  resources?: string[];
  /** { functionalServer: { function: 'r'|'w'|'rw' } } */
  permissions?: Record<string, Record<string, string>>;
}

export interface ServiceConfig {
  publisher?: PublisherSection;
  build: BuildSection;
  publish: PublishSection;
  configuration: ServiceConfiguration;
}
