import { z } from 'zod';
import { errorInfoSchema } from './common.js';

export const SERVICE_STATUSES = [
  'unknown',
  'pending',
  'downloading',
  'downloaded',
  'installing',
  'installed',
  'removing',
  'removed',
  'error',
] as const;
export const INSTANCE_STATUSES = ['activating', 'active', 'inactive', 'failed'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

export const serviceStatusSchema = z.object({
  id: z.string(),
  version: z.string(),
  status: z.enum(SERVICE_STATUSES),
  errorInfo: errorInfoSchema.optional(),
});
export type ServiceStatusItem = z.infer<typeof serviceStatusSchema>;

export const instanceStatusSchema = z.object({
  serviceId: z.string(),
  subjectId: z.string(),
  instance: z.number().int().min(0),
  version: z.string(),
  nodeId: z.string().optional(),
  status: z.enum(INSTANCE_STATUSES),
  stateChecksum: z.string().optional(),
  errorInfo: errorInfoSchema.optional(),
});
export type InstanceStatusItem = z.infer<typeof instanceStatusSchema>;

export const nodeStatusSchema = z.object({
  id: z.string(),
  type: z.string().optional(),
  name: z.string().optional(),
  status: z.enum(['provisioned', 'unprovisioned', 'error', 'paused']),
  cpus: z.array(z.looseObject({})).optional(),
  osType: z.string().optional(),
  maxDmips: z.number().optional(),
  totalRam: z.number().optional(),
  errorInfo: errorInfoSchema.optional(),
});

export const unitConfigStatusSchema = z.object({
  version: z.string(),
  status: z.enum(['installed', 'downloading', 'failed', 'error', 'absent']),
  errorInfo: errorInfoSchema.optional(),
});

/** unitStatus (unit → cloud, reference §5.2): full after each desired status, delta on changes. */
export const unitStatusSchema = z.object({
  messageType: z.literal('unitStatus'),
  isDeltaInfo: z.boolean().default(false),
  unitConfig: z.array(unitConfigStatusSchema).optional(),
  nodes: z.array(nodeStatusSchema).default([]),
  services: z.array(serviceStatusSchema).default([]),
  instances: z.array(instanceStatusSchema).default([]),
  unitSubjects: z.array(z.string()).optional(),
});
export type UnitStatus = z.infer<typeof unitStatusSchema>;
