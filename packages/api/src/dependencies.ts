import type { Database } from '@openaos/db';
import type { CloudAuthority } from './authority.js';
import type { BlobStorage } from './blob-storage.js';
import type { MonitoringRetention } from './domain/monitoring/retention.js';
import type { UnitEvents } from './unit-events/unit-events.js';

/** Everything the cloud's operations need besides the caller; built once per process. */
export interface CloudDependencies {
  db: Database;
  blobs: BlobStorage;
  authority: CloudAuthority;
  /** This process's own temporary upload and build files (`<dataDir>/tmp/<process id>`). */
  tempDirectory: string;
  /** This cloud process: its id in `cloud_processes` (it marks the versions it builds) and its lease. */
  process: { id: string; leaseSeconds: number };
  /** Upper bound of an uploaded package, bytes. */
  maxUploadBytes: number;
  now: () => Date;
  /** Announcements about units to every cloud process (the unit channel's fan-out). */
  unitEvents: UnitEvents;
  /**
   * The address units and people reach this cloud at (OPENAOS_PUBLIC_URL), when configured: the
   * cloud URL put into provisioning commands. Without it, the caller's own address is used.
   */
  publicUrl?: string | undefined;
  /** SOURCE_DATE_EPOCH: the created time of every image built (else each package's signing time). */
  sourceDateEpoch?: Date | undefined;
  /** How long monitoring samples are kept (docs/monitoring.md); the defaults when absent. */
  monitoringRetention?: MonitoringRetention | undefined;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
