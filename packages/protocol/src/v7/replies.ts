import { z } from 'zod';
import { errorInfoSchema, messageFields } from './common.js';

/**
 * ack: "I received the message whose `header.txn` this ack's header repeats". Acks and nacks are
 * never acknowledged themselves.
 */
export const ackSchema = z.object({ ...messageFields('ack') });

/** How long an AosEdge peer waits before resending a nacked message, by default. */
export const DEFAULT_NACK_RETRY_AFTER_MS = 500;

/**
 * OpenAos extension of `nack`: the message was refused for good (it cannot be parsed or is not
 * allowed) and resending it will not help. An AosErrorInfo with, in addition, `code`: a
 * ProtocolErrorCode such as `invalid-message`; `message` says what was wrong, naming the field.
 */
export const nackErrorInfoSchema = errorInfoSchema.extend({
  code: z.string().min(1),
  message: z.string(),
});

/**
 * nack: "not now, send the message of this `header.txn` again after `retryAfter` ms". With the
 * OpenAos `errorInfo` it means "refused": an OpenAos peer does not resend; an AosEdge peer
 * resends after `retryAfter` (so refusals carry a long one).
 */
export const nackSchema = z.object({
  ...messageFields('nack'),
  retryAfter: z.int().default(DEFAULT_NACK_RETRY_AFTER_MS),
  errorInfo: nackErrorInfoSchema.optional(),
});
export type Ack = z.infer<typeof ackSchema>;
export type Nack = z.infer<typeof nackSchema>;
export type NackErrorInfo = z.infer<typeof nackErrorInfoSchema>;
