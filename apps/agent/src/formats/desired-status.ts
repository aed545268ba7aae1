/**
 * The agent's target: what `aos-agent apply` reads from a file, what `acceptTarget` takes and
 * persists as `agent/target.json`. The cloud link maps each v7 desired status to it
 * (link/map-desired-status.ts). The shape is AosEdge v6's desiredStatus, which it was.
 */
import { z } from 'zod';
import { AgentError } from '../errors.js';

/** `sha256:<64 hex>` content digest. */
const digestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 lowercase hex digits>');

/**
 * A service version to have installed. `manifestDigest` names the image manifest (`size`: its
 * size in bytes, when known); blobs are read from `<url>/blobs/sha256/<hex>` for each of `urls`
 * in turn (an http(s) base URL, or a directory / file: URL holding an image layout).
 *
 * `isRollback` (default false): the version may be older than the one the unit runs; a downgrade
 * not marked so is refused (reconcile/find-refused-downgrade.ts).
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
const unitConfigSchema = z.looseObject({
  formatVersion: z.union([z.string(), z.number()]).optional(),
  version: z.string().optional(),
  nodes: z.array(z.looseObject({})).optional(),
});

/**
 * A desired status. An absent `services` or `instances` list keeps what the target has (merged
 * by persist/target-store.ts); an empty list removes everything.
 */
export const desiredStatusSchema = z.object({
  messageType: z.literal('desiredStatus'),
  unitConfig: unitConfigSchema.optional(),
  services: z.array(desiredServiceSchema).nullish(),
  instances: z.array(desiredInstanceSchema).nullish(),
});
export type DesiredStatus = z.infer<typeof desiredStatusSchema>;

/** Validate a desired status; AgentError('bad-target') naming each wrong field. */
export function parseDesiredStatus(data: unknown): DesiredStatus {
  const result = desiredStatusSchema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  throw new AgentError('bad-target', `parsing desiredStatus: ${issues.join('; ')}`, { cause: result.error });
}
