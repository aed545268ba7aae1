import { z } from 'zod';
import { dateTimeSchema, INSTANCE_STATES, messageFields, NODE_STATES } from './common.js';
import { aosIdentitySchema } from './identity.js';

/** Used bytes of a disk partition. */
export const partitionUsageSchema = z.object({
  name: z.string(),
  usedSize: z.int(),
});

/**
 * One sample. Every figure is an integer: `ram` in bytes, `cpu` in DMIPS (AosCore), `download` and
 * `upload` in bytes; round before sending.
 */
export const monitoringSampleSchema = z.object({
  timestamp: dateTimeSchema,
  ram: z.int(),
  cpu: z.int(),
  download: z.int().optional(),
  upload: z.int().optional(),
  partitions: z.array(partitionUsageSchema).optional(),
  /** OpenAos extension (v7 has no such field): processes in the instance's cgroup. */
  pids: z.int().nonnegative().optional(),
});

/** A change of a node's state. */
export const nodeStateChangeSchema = z.object({
  timestamp: dateTimeSchema,
  connected: z.boolean(),
  state: z.enum(NODE_STATES),
});

/** Samples of one node. */
export const nodeMonitoringSchema = z.object({
  node: aosIdentitySchema,
  nodeStates: z.array(nodeStateChangeSchema).nullish(),
  items: z.array(monitoringSampleSchema),
});

/** A change of an instance's state. */
export const instanceStateChangeSchema = z.object({
  timestamp: dateTimeSchema,
  state: z.enum(INSTANCE_STATES),
});

/** Samples of one instance. */
export const instanceMonitoringSchema = z.object({
  item: aosIdentitySchema,
  subject: aosIdentitySchema,
  instance: z.int(),
  node: aosIdentitySchema,
  itemStates: z.array(instanceStateChangeSchema),
  items: z.array(monitoringSampleSchema),
});

/** monitoringData (unit → cloud): samples since the last report, per node and per instance. */
export const monitoringDataSchema = z.object({
  ...messageFields('monitoringData'),
  nodes: z.array(nodeMonitoringSchema),
  instances: z.array(instanceMonitoringSchema).optional(),
});
export type MonitoringData = z.infer<typeof monitoringDataSchema>;
export type MonitoringSample = z.infer<typeof monitoringSampleSchema>;
