import { z } from 'zod';
import { dateTimeSchema, errorInfoSchema, messageFields } from './common.js';
import { aosIdentitySchema } from './identity.js';

const message = z.string().min(1).max(32_768);
const parameter = z.string().min(1).max(100);
const timestamp = dateTimeSchema;
/**
 * OpenAos extra field of quota alerts (AosEdge documents raise/continue/fall but does not send it):
 * which step of the threshold's hysteresis this is. Absent from other units: each alert stands alone.
 */
const quotaState = z.enum(['raise', 'continue', 'fall']).optional();

/** An error of an AosCore component (for OpenAos: the agent) on a node. */
export const coreAlertSchema = z.object({
  timestamp,
  tag: z.literal('coreAlert'),
  node: aosIdentitySchema,
  coreComponent: z.string().min(1).max(100),
  message,
});

/** A device (resource) could not be given to an instance. */
export const deviceAllocateAlertSchema = z.object({
  timestamp,
  tag: z.literal('deviceAllocateAlert'),
  item: aosIdentitySchema,
  subject: aosIdentitySchema,
  instance: z.int(),
  node: aosIdentitySchema,
  deviceId: z.string(),
  message,
});

/** Progress of a blob download. */
export const downloadProgressAlertSchema = z.object({
  timestamp,
  tag: z.literal('downloadProgressAlert'),
  digest: z.string(),
  url: z.string().nullish(),
  downloadedBytes: z.int().min(0),
  totalBytes: z.int().min(0),
  state: z.enum(['started', 'paused', 'interrupted', 'finished']),
  reason: z.string().nullish(),
  errorInfo: errorInfoSchema.optional(),
});

/** An instance crossed a quota threshold. */
export const instanceQuotaAlertSchema = z.object({
  timestamp,
  tag: z.literal('instanceQuotaAlert'),
  item: aosIdentitySchema,
  subject: aosIdentitySchema,
  instance: z.int(),
  parameter,
  value: z.int().min(0),
  state: quotaState,
});

/**
 * Something happened to an instance (it failed, was rolled back…). The subject field is named
 * `subjectId` here, unlike everywhere else: AosEdge's schema spells it so.
 */
export const updateItemInstanceAlertSchema = z.object({
  timestamp,
  tag: z.literal('updateItemInstanceAlert'),
  item: aosIdentitySchema,
  subjectId: aosIdentitySchema,
  instance: z.int(),
  version: z.string(),
  message,
});

/** A system error on a node. */
export const systemAlertSchema = z.object({
  timestamp,
  tag: z.literal('systemAlert'),
  node: aosIdentitySchema,
  message,
});

/** A node crossed a quota threshold. */
export const systemQuotaAlertSchema = z.object({
  timestamp,
  tag: z.literal('systemQuotaAlert'),
  node: aosIdentitySchema,
  parameter,
  value: z.int().min(0),
  state: quotaState,
});

/** One alert, told apart by `tag`. */
export const alertSchema = z.discriminatedUnion('tag', [
  coreAlertSchema,
  deviceAllocateAlertSchema,
  downloadProgressAlertSchema,
  instanceQuotaAlertSchema,
  updateItemInstanceAlertSchema,
  systemAlertSchema,
  systemQuotaAlertSchema,
]);
export type Alert = z.infer<typeof alertSchema>;
export type AlertTag = Alert['tag'];

/** alerts (unit → cloud). */
export const alertsSchema = z.object({
  ...messageFields('alerts'),
  items: z.array(alertSchema),
});
export type Alerts = z.infer<typeof alertsSchema>;
