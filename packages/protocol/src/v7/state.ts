import { z } from 'zod';
import { messageFields } from './common.js';
import { aosIdentitySchema } from './identity.js';

const checksum = z.string().min(1).max(256);

/** newState (unit → cloud): an instance's `/state.dat` changed; the cloud answers with `stateAcceptance`. */
export const newStateSchema = z.object({
  ...messageFields('newState'),
  item: aosIdentitySchema.optional(),
  subject: aosIdentitySchema.optional(),
  instance: z.int(),
  stateChecksum: checksum,
  state: z.string(),
});

/** stateRequest (unit → cloud): send me the state of this instance (the initial one when `default`). */
export const stateRequestSchema = z.object({
  ...messageFields('stateRequest'),
  item: aosIdentitySchema,
  subject: aosIdentitySchema,
  instance: z.int(),
  default: z.boolean(),
});

/** stateAcceptance (cloud → unit): whether the cloud took a `newState`. */
export const stateAcceptanceSchema = z.object({
  ...messageFields('stateAcceptance'),
  item: aosIdentitySchema,
  subject: aosIdentitySchema,
  instance: z.int(),
  checksum,
  result: z.enum(['accepted', 'rejected']),
  reason: z.string(),
});

/** updateState (cloud → unit): replace an instance's state (the answer to `stateRequest`, or the cloud's own change). */
export const updateStateSchema = z.object({
  ...messageFields('updateState'),
  item: aosIdentitySchema.optional(),
  subject: aosIdentitySchema.optional(),
  instance: z.int(),
  stateChecksum: checksum,
  state: z.string(),
});
export type NewState = z.infer<typeof newStateSchema>;
export type StateRequest = z.infer<typeof stateRequestSchema>;
export type StateAcceptance = z.infer<typeof stateAcceptanceSchema>;
export type UpdateState = z.infer<typeof updateStateSchema>;
