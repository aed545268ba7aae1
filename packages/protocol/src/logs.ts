import { z } from 'zod';
import { errorInfoSchema } from './common.js';

/** requestLog (cloud → unit, reference §4.7, v6 names). */
export const requestLogSchema = z.object({
  messageType: z.literal('requestLog'),
  logId: z.string().min(1),
  logType: z.enum(['systemLog', 'serviceLog', 'crashLog']),
  filter: z.object({
    from: z.string().optional(),
    till: z.string().optional(),
    nodeIds: z.array(z.string()).optional(),
    serviceId: z.string().optional(),
    subjectId: z.string().optional(),
    instance: z.number().int().min(0).optional(),
  }),
  uploadOptions: z
    .object({
      type: z.enum(['https', 'amqps', 'wss']),
      url: z.string(),
      bearerToken: z.string().optional(),
      bearerTokenTtl: z.string().optional(),
    })
    .optional(),
});
export type RequestLog = z.infer<typeof requestLogSchema>;

/** pushLog (unit → cloud): `content` is base64 of gzip data, split in parts. */
export const pushLogSchema = z.object({
  messageType: z.literal('pushLog'),
  logId: z.string().min(1),
  nodeId: z.string().optional(),
  part: z.number().int().min(1),
  partsCount: z.number().int().min(0),
  content: z.string(),
  status: z.enum(['ok', 'error', 'empty', 'absent']),
  errorInfo: errorInfoSchema.optional(),
});
export type PushLog = z.infer<typeof pushLogSchema>;
