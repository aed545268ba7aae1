import { z } from 'zod';
import { dateTimeSchema, PROTOCOL_VERSION_7 } from './common.js';

/**
 * The v7 header. `txn` names this transmission: the receiver's `ack`/`nack` repeats it in its own
 * header (that is how AosEdge correlates them). `systemId` is always the unit's, in both
 * directions. `version` may be left out (AosEdge's schema defaults it to 7); we always send it.
 */
export const headerSchema = z.object({
  version: z.literal(PROTOCOL_VERSION_7).default(PROTOCOL_VERSION_7),
  systemId: z.string(),
  createdAt: dateTimeSchema,
  txn: z.string(),
});
export type Header = z.infer<typeof headerSchema>;

/** `{header, data}`: one v7 message as it goes over the wire. */
export interface Envelope<M = unknown> {
  header: Header;
  data: M;
}
