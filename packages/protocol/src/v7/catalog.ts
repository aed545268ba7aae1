import type { z } from 'zod';
import { alertsSchema } from './alerts.js';
import { blobUrlsSchema, requestBlobUrlsSchema } from './blobs.js';
import {
  installUnitCertificatesConfirmationSchema,
  issuedUnitCertificatesSchema,
  issueUnitCertificatesSchema,
  renewCertificatesNotificationSchema,
} from './certificates.js';
import { desiredStatusSchema } from './desired-status.js';
import { overrideEnvVarsSchema, overrideEnvVarsStatusSchema } from './env-vars.js';
import { pushLogSchema, requestLogSchema } from './logs.js';
import { openAosCloudToUnitMessages, openAosUnitToCloudMessages } from './log-follow.js';
import { monitoringDataSchema } from './monitoring.js';
import {
  deprovisioningRequestSchema,
  deprovisioningResponseSchema,
  finishProvisioningRequestSchema,
  finishProvisioningResponseSchema,
  startProvisioningRequestSchema,
  startProvisioningResponseSchema,
} from './provisioning.js';
import { ackSchema, nackSchema } from './replies.js';
import { newStateSchema, stateAcceptanceSchema, stateRequestSchema, updateStateSchema } from './state.js';
import { unitStatusSchema } from './unit-status.js';

/** Messages the cloud sends to a unit (v7, plus OpenAos's `openaos.*`), keyed by messageType. */
export const cloudToUnitMessages = {
  ack: ackSchema,
  nack: nackSchema,
  desiredStatus: desiredStatusSchema,
  blobUrls: blobUrlsSchema,
  requestLog: requestLogSchema,
  stateAcceptance: stateAcceptanceSchema,
  updateState: updateStateSchema,
  overrideEnvVars: overrideEnvVarsSchema,
  renewCertificatesNotification: renewCertificatesNotificationSchema,
  issuedUnitCertificates: issuedUnitCertificatesSchema,
  startProvisioningRequest: startProvisioningRequestSchema,
  finishProvisioningRequest: finishProvisioningRequestSchema,
  deprovisioningRequest: deprovisioningRequestSchema,
  ...openAosCloudToUnitMessages,
} as const;

/** Messages a unit sends to the cloud (v7, plus OpenAos's `openaos.*`), keyed by messageType. */
export const unitToCloudMessages = {
  ack: ackSchema,
  nack: nackSchema,
  unitStatus: unitStatusSchema,
  monitoringData: monitoringDataSchema,
  alerts: alertsSchema,
  requestBlobUrls: requestBlobUrlsSchema,
  newState: newStateSchema,
  stateRequest: stateRequestSchema,
  pushLog: pushLogSchema,
  overrideEnvVarsStatus: overrideEnvVarsStatusSchema,
  issueUnitCertificates: issueUnitCertificatesSchema,
  installUnitCertificatesConfirmation: installUnitCertificatesConfirmationSchema,
  startProvisioningResponse: startProvisioningResponseSchema,
  finishProvisioningResponse: finishProvisioningResponseSchema,
  deprovisioningResponse: deprovisioningResponseSchema,
  ...openAosUnitToCloudMessages,
} as const;

/** Every v7 message, keyed by messageType: the 26 of AosEdge's schema and OpenAos's own (`openaos.*`, log-follow.ts). */
export const messageSchemas = { ...cloudToUnitMessages, ...unitToCloudMessages } as const;

/** The side of the channel: the cloud receives unit→cloud messages, the unit cloud→unit ones. */
export type Side = 'cloud' | 'unit';

/** The catalog of messages a side may receive. */
export function incomingMessages(side: Side): typeof cloudToUnitMessages | typeof unitToCloudMessages {
  return side === 'unit' ? cloudToUnitMessages : unitToCloudMessages;
}

export type MessageType = keyof typeof messageSchemas;
export type CloudToUnitType = keyof typeof cloudToUnitMessages;
export type UnitToCloudType = keyof typeof unitToCloudMessages;
/** The data of a message of type T, as parsed (defaults filled in). */
export type MessageOf<T extends MessageType> = z.output<(typeof messageSchemas)[T]>;
/** The data of a message of type T as a sender writes it (fields with defaults may be left out). */
export type MessageInput<T extends MessageType> = z.input<(typeof messageSchemas)[T]>;
export type AnyMessage = { [T in MessageType]: MessageOf<T> }[MessageType];
export type CloudToUnitMessage = { [T in CloudToUnitType]: MessageOf<T> }[CloudToUnitType];
export type UnitToCloudMessage = { [T in UnitToCloudType]: MessageOf<T> }[UnitToCloudType];

/** Message types a side receives / sends. */
export type IncomingType<S extends Side> = S extends 'unit' ? CloudToUnitType : UnitToCloudType;
export type OutgoingType<S extends Side> = S extends 'unit' ? UnitToCloudType : CloudToUnitType;
/** The messages a side receives, as a union of parsed data. */
export type IncomingMessage<S extends Side> = S extends 'unit' ? CloudToUnitMessage : UnitToCloudMessage;

/** Replies the channel sends and consumes itself: never passed to `send` or to handlers. */
export type ReplyType = 'ack' | 'nack';

/**
 * Requests that get exactly one response carrying the request's `correlationId` (as aos_core_cpp
 * pairs them): the response type of each.
 */
export const RESPONSE_TYPES = {
  requestBlobUrls: 'blobUrls',
  startProvisioningRequest: 'startProvisioningResponse',
  finishProvisioningRequest: 'finishProvisioningResponse',
  deprovisioningRequest: 'deprovisioningResponse',
} as const satisfies Partial<Record<MessageType, MessageType>>;
export type RequestType = keyof typeof RESPONSE_TYPES;
export type ResponseTypeOf<T extends RequestType> = (typeof RESPONSE_TYPES)[T];
