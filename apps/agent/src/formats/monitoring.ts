/**
 * What the monitor produces (monitoring/monitor.ts): samples per node and instance, and quota
 * alerts. The cloud link sends them in v7 form (link/map-monitoring.ts). The shapes are AosEdge
 * v6's monitoringData and alerts, which they were.
 */
import { z } from 'zod';

/** One sample: cpu in DMIPS (or percent when the node has no DMIPS figure), ram in bytes. */
export const monitoringItemSchema = z.object({
  timestamp: z.string(),
  ram: z.number().nonnegative(),
  cpu: z.number().nonnegative(),
  download: z.number().nonnegative().default(0),
  upload: z.number().nonnegative().default(0),
  partitions: z.array(z.object({ name: z.string(), usedSize: z.number().nonnegative() })).default([]),
  /** Processes in the instance's cgroup (instances only; sent as the OpenAos `pids` extension). */
  pids: z.number().nonnegative().optional(),
});
export type MonitoringItem = z.infer<typeof monitoringItemSchema>;

/** Samples since the last drain, per node and per instance. */
export const monitoringDataSchema = z.object({
  messageType: z.literal('monitoringData'),
  nodes: z.array(z.object({ nodeId: z.string(), items: z.array(monitoringItemSchema) })).default([]),
  serviceInstances: z
    .array(
      z.object({
        serviceId: z.string(),
        subjectId: z.string(),
        instance: z.number().int().min(0),
        nodeId: z.string().optional(),
        items: z.array(monitoringItemSchema),
      }),
    )
    .default([]),
});
export type MonitoringData = z.infer<typeof monitoringDataSchema>;

type QuotaState = 'raise' | 'continue' | 'fall';

/** A quota alert as the monitor raises it (or a system alert). */
export type AlertItem =
  | { timestamp: string; tag: 'systemAlert'; nodeId: string; message: string }
  | {
      timestamp: string;
      tag: 'systemQuotaAlert';
      nodeId: string;
      parameter: string;
      value: number;
      state?: QuotaState;
    }
  | {
      timestamp: string;
      tag: 'instanceQuotaAlert';
      serviceId: string;
      subjectId: string;
      instance: number;
      parameter: string;
      value: number;
      state?: QuotaState;
    };
