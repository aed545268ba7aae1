import { z } from 'zod';
import { aosIdentitySchema } from './identity.js';

const percent = z.number().min(0).max(100);
/** Seconds; a fraction gives milliseconds. */
const timeoutSeconds = z.number().positive();

/** Alert or rebalancing thresholds in percent of a node resource. */
export const alertRulePercentsSchema = z.object({
  minThreshold: percent,
  maxThreshold: percent,
  minTimeout: timeoutSeconds,
});

/** Thresholds for one named disk partition, in percent. */
export const alertRulePercentsOfDiskSchema = alertRulePercentsSchema.extend({ name: z.string() });

/** Thresholds in points (DMIPS, bytes…). */
export const alertRulePointsSchema = z.object({
  minThreshold: z.int().min(0),
  maxThreshold: z.int().min(0),
  minTimeout: timeoutSeconds,
});

/** The default thresholds for services on a node. */
export const alertRulesSchema = z.object({
  cpu: alertRulePercentsSchema.optional(),
  ram: alertRulePercentsSchema.optional(),
  partitions: z.array(alertRulePercentsOfDiskSchema).nullish(),
  download: alertRulePointsSchema.optional(),
  upload: alertRulePointsSchema.optional(),
});

/** Default share of node resources given to a service, in percent. */
export const resourceRatiosSchema = z.object({
  cpu: z.number().optional(),
  ram: z.number().optional(),
  storage: z.number().optional(),
  state: z.number().optional(),
});

/** Configuration of one node (or of every node of a node group). */
export const nodeConfigSchema = z.object({
  nodeGroupSubject: aosIdentitySchema,
  node: aosIdentitySchema.nullish(),
  alertRules: alertRulesSchema.optional(),
  resourceRatios: resourceRatiosSchema.optional(),
  labels: z.array(z.string()).optional(),
  priority: z.int().min(0).lt(4_294_967_295),
});

/** UnitConfigV7: the unit configuration a desired status may carry. */
export const unitConfigSchema = z.object({
  version: z.string(),
  formatVersion: z.string(),
  nodes: z.array(nodeConfigSchema),
});
export type UnitConfig = z.infer<typeof unitConfigSchema>;
export type NodeConfig = z.infer<typeof nodeConfigSchema>;
export type AlertRules = z.infer<typeof alertRulesSchema>;
