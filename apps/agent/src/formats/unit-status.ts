/**
 * The agent's status: `agent/status.json`, what `aos-agent status` prints and what subscribers
 * hear (events.ts). The cloud link sends it in v7 form (link/map-unit-status.ts). The shape is
 * AosEdge v6's unitStatus, which it was.
 */
import type { ErrorInfo } from './error-info.js';

export type ServiceState =
  | 'unknown'
  | 'pending'
  | 'downloading'
  | 'downloaded'
  | 'installing'
  | 'installed'
  | 'removing'
  | 'removed'
  | 'error';

export type InstanceStatus = 'activating' | 'active' | 'inactive' | 'failed';

export interface ServiceStatusItem {
  id: string;
  version: string;
  status: ServiceState;
  errorInfo?: ErrorInfo;
}

export interface InstanceStatusItem {
  serviceId: string;
  subjectId: string;
  instance: number;
  version: string;
  nodeId?: string;
  status: InstanceStatus;
  stateChecksum?: string;
  errorInfo?: ErrorInfo;
}

export interface NodeStatusItem {
  id: string;
  status: 'provisioned' | 'unprovisioned' | 'error' | 'paused';
  errorInfo?: ErrorInfo;
}

export interface UnitStatus {
  messageType: 'unitStatus';
  /** True for a delta: only the items that are new or changed. */
  isDeltaInfo: boolean;
  nodes: NodeStatusItem[];
  services: ServiceStatusItem[];
  instances: InstanceStatusItem[];
}
