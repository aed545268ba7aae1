import { z } from 'zod';
import { dateTimeSchema, errorInfoSchema, messageFields } from './common.js';
import { aosIdentitySchema } from './identity.js';

/** One variable; `ttl` is when it expires (AosEdge's text says `HH:MM[:SS]`, its schema and aos_core_cpp a date-time). */
export const envVarSchema = z.object({
  name: z.string().min(1).max(256),
  value: z.string().max(10_240),
  ttl: dateTimeSchema.optional(),
});

/** Variables for the instances that match the filter (item, subject, instance; absent = all). */
export const envVarsOverrideSchema = z.object({
  item: aosIdentitySchema.nullish(),
  subject: aosIdentitySchema.nullish(),
  instance: z.int().optional(),
  variables: z.array(envVarSchema),
});

/** overrideEnvVars (cloud → unit): set these variables; the unit answers with `overrideEnvVarsStatus`. */
export const overrideEnvVarsSchema = z.object({
  ...messageFields('overrideEnvVars'),
  items: z.array(envVarsOverrideSchema),
});

/** The outcome for one variable of one instance (`subjectId` is AosEdge's spelling here). */
export const envVarStatusSchema = z.object({
  item: aosIdentitySchema,
  subjectId: aosIdentitySchema,
  instance: z.int(),
  name: z.string(),
  errorInfo: errorInfoSchema.optional(),
});

/** overrideEnvVarsStatus (unit → cloud). */
export const overrideEnvVarsStatusSchema = z.object({
  ...messageFields('overrideEnvVarsStatus'),
  statuses: z.array(envVarStatusSchema),
});
export type OverrideEnvVars = z.infer<typeof overrideEnvVarsSchema>;
export type OverrideEnvVarsStatus = z.infer<typeof overrideEnvVarsStatusSchema>;
