import { z } from 'zod';
import { base64Schema, messageFields } from './common.js';
import { aosIdentitySchema } from './identity.js';
import { unitConfigSchema } from './unit-config.js';

/** A node the cloud wants provisioned or paused. */
export const desiredNodeStateSchema = z.object({
  item: aosIdentitySchema,
  state: z.enum(['provisioned', 'paused']),
});

/**
 * An update item (a service version) the unit must have. `indexDigest` names the item's image
 * index, itself a blob (reference §3.4); the unit asks for its URL with `requestBlobUrls`.
 *
 * OpenAos extension `isRollback`: true when the cloud deliberately sends a version older than the
 * one the unit runs (a rollback the OEM asked for). A unit refuses a downgrade without it.
 */
export const desiredItemSchema = z.object({
  item: aosIdentitySchema,
  version: z.string(),
  owner: aosIdentitySchema,
  indexDigest: z.string().min(1),
  isRollback: z.boolean().optional(),
});

/** Instances of an item bound to a subject: indexes 0 … numInstances-1. */
export const desiredInstanceSchema = z.object({
  item: aosIdentitySchema,
  subject: aosIdentitySchema,
  priority: z.int().min(0).lt(1_000_000).default(0),
  numInstances: z.int().positive().default(1),
  labels: z.array(z.string()).nullish(),
});

/** A subject the desired status refers to. */
export const subjectSchema = z.object({
  identity: aosIdentitySchema,
  type: z.enum(['group', 'user']),
});

/** A certificate (base64 DER) and its fingerprint, referred to by `certificateChains`. */
export const certificateInfoSchema = z.object({
  certificate: base64Schema,
  fingerprint: z.string(),
});

/** A named chain of certificates, by fingerprint. */
export const certificateChainInfoSchema = z.object({
  name: z.string(),
  fingerprints: z.array(z.string()),
});

/**
 * desiredStatus (cloud → unit): everything the unit must run. It is the whole desired state: an
 * absent `items` or `instances` is read as empty, as AosEdge's schema default for `items` and
 * aos_core_cpp's reader for both do (the schema text "absent or null — do nothing" is a v6
 * leftover that neither follows).
 *
 * OpenAos extension `signature`: a compact JWS by the cloud's desired-status signer over this
 * data (see `signDesiredStatus`/`verifyDesiredStatus` and docs/protocol.md).
 */
export const desiredStatusSchema = z.object({
  ...messageFields('desiredStatus'),
  nodes: z.array(desiredNodeStateSchema).optional(),
  unitConfig: unitConfigSchema.optional(),
  items: z.array(desiredItemSchema).default([]),
  instances: z.array(desiredInstanceSchema).default([]),
  subjects: z.array(subjectSchema).optional(),
  certificates: z.array(certificateInfoSchema).max(32).optional(),
  certificateChains: z.array(certificateChainInfoSchema).max(8).optional(),
  signature: z.string().optional(),
});
export type DesiredStatus = z.infer<typeof desiredStatusSchema>;
export type DesiredItem = z.infer<typeof desiredItemSchema>;
export type DesiredInstance = z.infer<typeof desiredInstanceSchema>;
