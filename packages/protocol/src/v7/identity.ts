import { z } from 'zod';
import { uuid4Schema } from './common.js';

/** The kinds of object an AosIdentity may name. */
export const AOS_IDENTITY_TYPES = ['component', 'service', 'layer', 'subject', 'oem', 'sp', 'node', 'runtime'] as const;
export type AosIdentityType = (typeof AOS_IDENTITY_TYPES)[number];

/**
 * AosIdentity: how v7 names every object (item, subject, node, runtime, owner). All fields are
 * optional; in practice an object from the cloud carries `id` (a v4 UUID), and a unit's own
 * objects (nodes, runtimes, preinstalled items) a `codename`.
 */
export const aosIdentitySchema = z.object({
  id: uuid4Schema.nullish(),
  type: z.enum(AOS_IDENTITY_TYPES).nullish(),
  codename: z.string().nullish(),
  title: z.string().nullish(),
  description: z.string().nullish(),
  urn: z.string().nullish(),
});
export type AosIdentity = z.infer<typeof aosIdentitySchema>;
export type AosIdentityInput = z.input<typeof aosIdentitySchema>;

/** An identity naming a cloud object by its UUID (and optionally its type). */
export function identityById(id: string, type?: AosIdentityType): AosIdentity {
  return type === undefined ? { id } : { id, type };
}

/** An identity naming a unit-side object (node, runtime) by its codename. */
export function identityByCodename(codename: string, type?: AosIdentityType): AosIdentity {
  return type === undefined ? { codename } : { codename, type };
}

/**
 * The key that names an identity in maps and comparisons: its `id` when present, else its
 * `codename`, else undefined (an identity with neither names nothing).
 */
export function identityKey(identity: AosIdentity): string | undefined {
  return identity.id ?? identity.codename ?? undefined;
}

/** Whether two identities name the same object (same id, or same codename when neither has an id). */
export function isSameIdentity(left: AosIdentity, right: AosIdentity): boolean {
  const leftKey = identityKey(left);
  return leftKey !== undefined && leftKey === identityKey(right) && Boolean(left.id) === Boolean(right.id);
}
