import { z } from 'zod';
import { dateTimeSchema, errorInfoSchema, messageFields } from './common.js';
import { aosIdentitySchema } from './identity.js';

/**
 * OpenAos's live log follow: three message types AosEdge's v7 does not have (it has no streaming
 * log), named with the `openaos.` prefix so they can never collide with an AosEdge message type.
 * The JSON schema of these messages is `schemas/openaos/openaos-log-follow.schema.json`; the
 * tests check that it and these zod schemas agree. See docs/protocol.md "Live log follow".
 *
 * A position is opaque to the cloud: the unit writes it, the cloud hands it back unchanged to
 * resume. The OpenAos agent writes `<file>:<byte offset>`, `<file>` naming one log file across
 * its renames (its birth time and inode). A batch's `from` is the position of its first byte,
 * `next` the position just after its last complete line: resuming at `next` neither repeats
 * nor skips a line.
 */
export const logPositionSchema = z
  .string()
  .min(1, 'expected a position as the unit sent it')
  .max(256, 'a position has at most 256 characters');

/**
 * Each of these messages is named by its `correlationId` (the follow's), required and non-empty.
 * It stays typed as in every v7 message (the channel fills it in on replies); the check is here.
 */
function hasCorrelationId(data: { correlationId?: string | null | undefined }): boolean {
  return typeof data.correlationId === 'string' && data.correlationId.length > 0;
}

/** openaos.followLog (cloud → unit): stream one instance's new lines, from `from` (absent: from now). */
export const followLogSchema = z
  .object({
    ...messageFields('openaos.followLog'),
    item: aosIdentitySchema,
    subject: aosIdentitySchema,
    instance: z.int().min(0),
    from: logPositionSchema.optional(),
    /**
     * With no `from`: also send up to this many of the last lines already written (default 0).
     */
    tailLines: z.int().min(0).max(10_000).optional(),
  })
  .refine(hasCorrelationId, { path: ['correlationId'], message: 'a follow is named by its correlationId (required)' });

/** openaos.stopFollowLog (cloud → unit): end the follow named by `correlationId`. */
export const stopFollowLogSchema = z.object({ ...messageFields('openaos.stopFollowLog') }).refine(hasCorrelationId, {
  path: ['correlationId'],
  message: 'name the follow to stop by its correlationId (required)',
});

/** openaos.logLines (unit → cloud): new complete lines of a follow, or why it ended. */
export const logLinesSchema = z
  .object({
    ...messageFields('openaos.logLines'),
    /** The position of the first byte of `lines`. */
    from: logPositionSchema,
    /** The position after the last line: where a resumed follow starts. */
    next: logPositionSchema,
    /** Complete lines, without their newline, in order. */
    lines: z.array(z.string()),
    /** When the unit read them (approximately when the container wrote them: within its poll period). */
    readAt: dateTimeSchema,
    /**
     * Set when lines between the position asked for and `from` are gone (rotated out while nobody
     * read them): a gap the viewer should show.
     */
    skippedFrom: logPositionSchema.optional(),
    /** `ended`: the follow stopped on the unit (`errorInfo` says why); no more batches come. */
    status: z.enum(['ok', 'ended']).optional(),
    errorInfo: errorInfoSchema.optional(),
  })
  .refine(hasCorrelationId, {
    path: ['correlationId'],
    message: 'logLines carry the correlationId of their follow (required)',
  });

export type FollowLog = z.infer<typeof followLogSchema>;
export type StopFollowLog = z.infer<typeof stopFollowLogSchema>;
export type LogLines = z.infer<typeof logLinesSchema>;

/** OpenAos's own messages the cloud sends a unit (not in AosEdge's v7 schema). */
export const openAosCloudToUnitMessages = {
  'openaos.followLog': followLogSchema,
  'openaos.stopFollowLog': stopFollowLogSchema,
} as const;

/** OpenAos's own messages a unit sends the cloud (not in AosEdge's v7 schema). */
export const openAosUnitToCloudMessages = {
  'openaos.logLines': logLinesSchema,
} as const;

/** Whether a message type is one of OpenAos's own (never sent to or expected from an AosEdge peer). */
export function isOpenAosMessageType(messageType: string): boolean {
  return messageType.startsWith('openaos.');
}
