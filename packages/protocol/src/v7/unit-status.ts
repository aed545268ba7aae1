import { z } from 'zod';
import { base64Schema, errorInfoSchema, INSTANCE_STATES, messageFields, NODE_STATES } from './common.js';
import { aosIdentitySchema } from './identity.js';

/** The state of the unit configuration the unit holds. */
export const unitConfigStatusSchema = z.object({
  version: z.string().optional(),
  state: z.enum(['absent', 'installed', 'failed']),
  errorInfo: errorInfoSchema.optional(),
});

/** CPU architecture, as the OCI image config names it (`amd64`, `arm64`, `arm`…). */
export const archInfoSchema = z.object({
  architecture: z.string(),
  variant: z.string().nullish(),
});

/** Operating system of a node or runtime (`linux`). */
export const osInfoSchema = z.object({
  os: z.string(),
  version: z.string().nullish(),
  features: z.array(z.string()).nullish(),
});

export const nodeCpuInfoSchema = z.object({
  modelName: z.string().optional(),
  totalNumCores: z.int().optional(),
  totalNumThreads: z.int().optional(),
  archInfo: archInfoSchema,
  maxDmips: z.int().nullish(),
});

export const nodePartitionInfoSchema = z.object({
  name: z.string(),
  types: z.array(z.string()),
  totalSize: z.int(),
});

/** A runtime a node offers (`runc`, `crun`…). */
export const runtimeInfoSchema = z.object({
  identity: aosIdentitySchema,
  runtimeType: z.string().min(1).max(64),
  archInfo: archInfoSchema,
  osInfo: osInfoSchema,
  maxDmips: z.int().nullish(),
  allowedDmips: z.int().nullish(),
  totalRam: z.int().nullish(),
  allowedRam: z.int().nullish(),
  /** 0 for unlimited. */
  maxInstances: z.int().min(0),
});

/** A shareable resource of a node; `sharedCount` 0 means unlimited. */
export const resourceInfoSchema = z.object({
  name: z.string(),
  sharedCount: z.int().min(0),
});

/** One node of the unit. */
export const unitNodeInfoSchema = z.object({
  identity: aosIdentitySchema,
  nodeGroupSubject: aosIdentitySchema,
  maxDmips: z.int(),
  physicalRam: z.int().min(1).nullish(),
  /** Bytes, physical + swap. */
  totalRam: z.int().min(1),
  osInfo: osInfoSchema,
  cpus: z.array(nodeCpuInfoSchema).nullish(),
  attrs: z.record(z.string(), z.string()).nullish(),
  partitions: z.array(nodePartitionInfoSchema).optional(),
  runtimes: z.array(runtimeInfoSchema).nullish(),
  resources: z.array(resourceInfoSchema).nullish(),
  isConnected: z.boolean(),
  state: z.enum(NODE_STATES),
  errorInfo: errorInfoSchema.optional(),
});

/** The states an update item goes through on the unit. */
export const ITEM_STATES = [
  'unknown',
  'downloading',
  'pending',
  'installing',
  'installed',
  'removing',
  'removed',
  'failed',
] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** An update item (service version) on the unit and its state. */
export const itemStatusSchema = z.object({
  item: aosIdentitySchema,
  version: z.string(),
  state: z.enum(ITEM_STATES),
  errorInfo: errorInfoSchema.optional(),
});

/** One running (or failed) instance. `stateChecksum` is base64 of the SHA-256 of its state. */
export const instanceInfoSchema = z.object({
  node: aosIdentitySchema,
  runtime: aosIdentitySchema,
  instance: z.int(),
  stateChecksum: base64Schema.nullish(),
  state: z.enum(INSTANCE_STATES),
  errorInfo: errorInfoSchema.optional(),
});

/** The instances of one item version for one subject. */
export const instancesInfoSchema = z.object({
  item: aosIdentitySchema,
  subject: aosIdentitySchema,
  version: z.string(),
  instances: z.array(instanceInfoSchema),
});

/**
 * unitStatus (unit → cloud): a full report after each desired status and on (re)connection;
 * `isDeltaInfo: true` for a report of changes only.
 */
export const unitStatusSchema = z.object({
  ...messageFields('unitStatus'),
  isDeltaInfo: z.boolean().nullish(),
  unitConfig: z.array(unitConfigStatusSchema).nullish(),
  nodes: z.array(unitNodeInfoSchema).nullish(),
  items: z.array(itemStatusSchema).nullish(),
  instances: z.array(instancesInfoSchema).nullish(),
  subjects: z.array(aosIdentitySchema).nullish(),
});
export type UnitStatus = z.infer<typeof unitStatusSchema>;
export type UnitNodeInfo = z.infer<typeof unitNodeInfoSchema>;
export type ItemStatus = z.infer<typeof itemStatusSchema>;
export type InstancesInfo = z.infer<typeof instancesInfoSchema>;
export type InstanceInfo = z.infer<typeof instanceInfoSchema>;
