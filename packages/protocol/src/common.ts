import { z } from 'zod';

/** The protocol version this package speaks (AosEdge v6 envelope names). */
export const PROTOCOL_VERSION = 6;

/** Error details attached to a failed service, instance or request (reference §4.4). */
export const errorInfoSchema = z.object({
  aosCode: z.number().int().optional(),
  exitCode: z.number().int().optional(),
  message: z.string(),
});
export type ErrorInfo = z.infer<typeof errorInfoSchema>;

/** `sha256:<64 hex>` content digest. */
export const digestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 lowercase hex digits>');

/** One instance identity: (serviceId, subjectId, instance index). */
export const instanceIdentSchema = z.object({
  serviceId: z.string().min(1),
  subjectId: z.string().min(1),
  instance: z.number().int().min(0),
});
export type InstanceIdent = z.infer<typeof instanceIdentSchema>;
