import { z } from 'zod';

/**
 * Field types shared by the v7 messages, each as AosEdge's JSON schema
 * (`schemas/aosedge/aos-unit-messages-v7.schema.json`) declares it. A field the schema types
 * `anyOf [T, null]` is `.nullish()` here; a field it only leaves out of `required` is
 * `.optional()`, so null is refused there as it is by the schema.
 */

/** The protocol version of this catalog (`header.version`). */
export const PROTOCOL_VERSION_7 = 7;

/** JSON-schema `format: uuid4`: a canonical UUID of version 4 (any letter case). */
export const uuid4Schema = z.uuid({ version: 'v4', error: 'expected a version-4 UUID' });

/** JSON-schema `format: base64`: standard alphabet with padding; empty is allowed. */
export const base64Schema = z.base64({ error: 'expected standard base64 (with = padding)' });

/** JSON-schema `format: date-time`: RFC 3339 with a time zone (`Z` or `±hh:mm`). */
export const dateTimeSchema = z.iso.datetime({
  offset: true,
  error: 'expected an RFC 3339 date-time with a time zone',
});

/** `sha256:<64 lowercase hex>`, the form OpenAos writes every digest in (AosEdge only asks for a non-empty string). */
export const sha256DigestSchema = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 lowercase hex digits>');

/** Whether `value` is a `sha256:<64 lowercase hex>` digest, safe to use in a blob path. */
export function isSha256Digest(value: string): boolean {
  return sha256DigestSchema.safeParse(value).success;
}

/** AosErrorInfo: every field optional; an absent or empty object means no error. */
export const errorInfoSchema = z.object({
  aosCode: z.int().optional(),
  exitCode: z.int().optional(),
  message: z.string().optional(),
});
export type ErrorInfo = z.infer<typeof errorInfoSchema>;

/** Every v7 message body has these two fields. */
export function messageFields<T extends string>(messageType: T) {
  return {
    /** Correlates a response with its request (echoed by the responder); not the ack's key (that is `header.txn`). */
    correlationId: z.string().nullish(),
    messageType: z.literal(messageType),
  };
}

/** The states a service instance reports (unitStatus, monitoring). */
export const INSTANCE_STATES = ['activating', 'active', 'inactive', 'failed'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

/** The states a node reports. */
export const NODE_STATES = ['unprovisioned', 'provisioned', 'error', 'paused'] as const;
export type NodeState = (typeof NODE_STATES)[number];

/** Certificate types of the certificate messages (AosEdge's IAM certificate storages). */
export const CERTIFICATE_TYPES = [
  'offline',
  'online',
  'um',
  'sm',
  'cm',
  'iam',
  'host-device',
  'remote-device',
  'azure-iot',
] as const;
export type CertificateType = (typeof CERTIFICATE_TYPES)[number];
