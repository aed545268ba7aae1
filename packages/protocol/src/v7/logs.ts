import { z } from 'zod';
import { base64Schema, dateTimeSchema, errorInfoSchema, messageFields } from './common.js';
import { aosIdentitySchema } from './identity.js';

/** Which log lines: time window (`from` ≤ t < `till`), nodes, item/subject/instance. */
export const logFilterSchema = z.object({
  from: dateTimeSchema.optional(),
  till: dateTimeSchema.optional(),
  nodeIds: z.array(aosIdentitySchema).optional(),
  item: aosIdentitySchema.nullish(),
  subject: aosIdentitySchema.nullish(),
  instance: z.int().optional(),
});

/** Where to upload logs instead of sending `pushLog` messages. */
export const uploadLogOptionsSchema = z.object({
  type: z.enum(['wss', 'https']),
  url: z.string().nullish(),
  bearerToken: z.string().nullish(),
  bearerTokenTtl: dateTimeSchema.nullish(),
});

/** requestLog (cloud → unit); the unit answers with `pushLog` parts carrying the same correlationId. */
export const requestLogSchema = z.object({
  ...messageFields('requestLog'),
  logType: z.enum(['systemLog', 'instanceLog', 'crashLog']),
  filter: logFilterSchema,
  uploadOptions: uploadLogOptionsSchema.optional(),
});

/** pushLog (unit → cloud): one part of a requested log; `content` is base64. */
export const pushLogSchema = z.object({
  ...messageFields('pushLog'),
  node: aosIdentitySchema,
  /** Number of this part (AosEdge's text says "starts with 0"; aos_core_cpp counts from 1). */
  part: z.int().optional(),
  partsCount: z.int().optional(),
  content: base64Schema.optional(),
  status: z.enum(['ok', 'failed', 'empty', 'absent']),
  errorInfo: errorInfoSchema.optional(),
});
export type RequestLog = z.infer<typeof requestLogSchema>;
export type PushLog = z.infer<typeof pushLogSchema>;
export type LogFilter = z.infer<typeof logFilterSchema>;
