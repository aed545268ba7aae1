import { z } from 'zod';
import { digestSchema } from './common.js';

/**
 * A service version the unit must have installed. `manifestDigest` names the image manifest
 * (`size`: its size in bytes, when known); blobs are fetched from `<url>/blobs/sha256/<hex>`
 * for each of `urls` in turn (an http(s) base URL or a local directory path / file: URL
 * holding an image layout).
 *
 * `isRollback` (OpenAos extension, default false): the version may be older than the one the
 * unit runs. A unit refuses a downgrade that is not marked so (AosEdge rejects downgrades,
 * reference §5.3), keeps the version it runs and reports the refusal in its status.
 */
export const desiredServiceSchema = z.object({
  id: z.string().min(1),
  version: z.string().min(1),
  providerId: z.string().optional(),
  manifestDigest: digestSchema,
  urls: z.array(z.string().min(1)).optional(),
  size: z.number().int().nonnegative().optional(),
  isRollback: z.boolean().optional(),
});
export type DesiredService = z.infer<typeof desiredServiceSchema>;

/** Instances of a service bound to a subject: indexes 0..numInstances-1. */
export const desiredInstanceSchema = z.object({
  serviceId: z.string().min(1),
  subjectId: z.string().min(1),
  priority: z.number().int().min(0).max(999_999).default(0),
  numInstances: z.number().int().min(1).default(1),
  labels: z.array(z.string()).optional(),
});
export type DesiredInstance = z.infer<typeof desiredInstanceSchema>;

/** Unit configuration (opaque to the agent beyond its version). */
export const unitConfigSchema = z.looseObject({
  formatVersion: z.union([z.string(), z.number()]).optional(),
  version: z.string().optional(),
  nodes: z.array(z.looseObject({})).optional(),
});

/**
 * desiredStatus (cloud → unit, reference §5.1). "If absent or null — do nothing" for services
 * and instances: an absent list keeps what the unit has, an empty list removes everything.
 */
export const desiredStatusSchema = z.object({
  messageType: z.literal('desiredStatus'),
  unitConfig: unitConfigSchema.optional(),
  services: z.array(desiredServiceSchema).nullish(),
  instances: z.array(desiredInstanceSchema).nullish(),
});
export type DesiredStatus = z.infer<typeof desiredStatusSchema>;
