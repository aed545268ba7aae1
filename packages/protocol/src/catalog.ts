import { z } from 'zod';
import { PROTOCOL_VERSION } from './common.js';
import { desiredStatusSchema } from './desired-status.js';
import { unitStatusSchema } from './unit-status.js';
import { alertsSchema, monitoringDataSchema } from './monitoring.js';
import { pushLogSchema, requestLogSchema } from './logs.js';
import { ackSchema, errorReplySchema, nackSchema } from './replies.js';

/** Messages the cloud sends to a unit, keyed by messageType. */
export const cloudToUnitMessages = {
  desiredStatus: desiredStatusSchema,
  requestLog: requestLogSchema,
  ack: ackSchema,
  nack: nackSchema,
  error: errorReplySchema,
} as const;

/** Messages a unit sends to the cloud, keyed by messageType. */
export const unitToCloudMessages = {
  unitStatus: unitStatusSchema,
  monitoringData: monitoringDataSchema,
  alerts: alertsSchema,
  pushLog: pushLogSchema,
  ack: ackSchema,
  nack: nackSchema,
  error: errorReplySchema,
} as const;

/** Every message of protocol version 6, keyed by messageType. */
export const messageSchemas = { ...cloudToUnitMessages, ...unitToCloudMessages } as const;

export type MessageType = keyof typeof messageSchemas;
export type CloudToUnitType = keyof typeof cloudToUnitMessages;
export type UnitToCloudType = keyof typeof unitToCloudMessages;
/** The data of a message of one type (after defaults are applied). */
export type MessageOf<T extends MessageType> = z.infer<(typeof messageSchemas)[T]>;
/** Input form of a message (defaults may be omitted). */
export type MessageInput<T extends MessageType> = z.input<(typeof messageSchemas)[T]>;
export type AnyMessage = { [T in MessageType]: MessageOf<T> }[MessageType];
export type CloudToUnitMessage = { [T in CloudToUnitType]: MessageOf<T> }[CloudToUnitType];
export type UnitToCloudMessage = { [T in UnitToCloudType]: MessageOf<T> }[UnitToCloudType];

export const headerSchema = z.object({
  version: z.literal(PROTOCOL_VERSION),
  systemId: z.string().min(1),
  txn: z.string().optional(),
  createdAt: z.string().optional(),
});
export type Header = z.infer<typeof headerSchema>;

/** `{header, data}` with data a message of type T. */
export interface Envelope<M = AnyMessage> {
  header: Header;
  data: M;
}
