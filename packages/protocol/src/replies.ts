import { z } from 'zod';

/** Acknowledges a received message (either direction). `correlationId` echoes the txn acked. */
export const ackSchema = z.object({ messageType: z.literal('ack'), correlationId: z.string().optional() });
/** Refuses a message for now; the sender retries after `retryAfter` milliseconds (default 500). */
export const nackSchema = z.object({
  messageType: z.literal('nack'),
  correlationId: z.string().optional(),
  retryAfter: z.number().int().nonnegative().default(500),
});
/** Replies to a message that could not be parsed or handled. */
export const errorReplySchema = z.object({
  messageType: z.literal('error'),
  correlationId: z.string().optional(),
  code: z.string(),
  message: z.string(),
});
export type Ack = z.infer<typeof ackSchema>;
export type Nack = z.infer<typeof nackSchema>;
export type ErrorReply = z.infer<typeof errorReplySchema>;
