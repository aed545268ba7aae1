import { z } from 'zod';

/** One sample: cpu in DMIPS (or percent when the node has no DMIPS figure), ram in bytes. */
export const monitoringItemSchema = z.object({
  timestamp: z.string(),
  ram: z.number().nonnegative(),
  cpu: z.number().nonnegative(),
  download: z.number().nonnegative().default(0),
  upload: z.number().nonnegative().default(0),
  partitions: z.array(z.object({ name: z.string(), usedSize: z.number().nonnegative() })).default([]),
});
export type MonitoringItem = z.infer<typeof monitoringItemSchema>;

/** monitoringData (unit → cloud, reference §4.6, v6 names). */
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

const alertBase = { timestamp: z.string() };

/** One alert, discriminated by `tag` (v6 names). `state` is sent although v6 Go drops it. */
export const alertItemSchema = z.discriminatedUnion('tag', [
  z.object({ ...alertBase, tag: z.literal('systemAlert'), nodeId: z.string(), message: z.string() }),
  z.object({
    ...alertBase,
    tag: z.literal('coreAlert'),
    nodeId: z.string(),
    coreComponent: z.string(),
    message: z.string(),
  }),
  z.object({
    ...alertBase,
    tag: z.literal('systemQuotaAlert'),
    nodeId: z.string(),
    parameter: z.string(),
    value: z.number(),
    state: z.enum(['raise', 'continue', 'fall']).optional(),
  }),
  z.object({
    ...alertBase,
    tag: z.literal('instanceQuotaAlert'),
    serviceId: z.string(),
    subjectId: z.string(),
    instance: z.number().int().min(0),
    parameter: z.string(),
    value: z.number(),
    state: z.enum(['raise', 'continue', 'fall']).optional(),
  }),
  z.object({
    ...alertBase,
    tag: z.literal('downloadProgressAlert'),
    targetType: z.enum(['component', 'layer', 'service']),
    targetId: z.string(),
    version: z.string(),
    message: z.string(),
    url: z.string(),
    downloadedBytes: z.number(),
    totalBytes: z.number(),
  }),
  z.object({
    ...alertBase,
    tag: z.literal('serviceInstanceAlert'),
    serviceId: z.string(),
    subjectId: z.string(),
    instance: z.number().int().min(0),
    version: z.string(),
    message: z.string(),
  }),
]);
export type AlertItem = z.infer<typeof alertItemSchema>;

/** alerts (unit → cloud). */
export const alertsSchema = z.object({ messageType: z.literal('alerts'), items: z.array(alertItemSchema) });
export type Alerts = z.infer<typeof alertsSchema>;
