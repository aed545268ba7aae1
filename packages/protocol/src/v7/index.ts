/**
 * @openaos/protocol/v7 — AosEdge's unit protocol v7: one zod schema per message, directional
 * catalogs, envelopes, the OpenAos extensions (signed desired status, plain blobs, typed nack refusals)
 * and the channel both sides run over a WebSocket. See the package README and docs/protocol.md.
 */
export { ProtocolError, type ProtocolErrorCode } from '../errors.js';
export {
  PROTOCOL_VERSION_7,
  uuid4Schema,
  base64Schema,
  dateTimeSchema,
  sha256DigestSchema,
  isSha256Digest,
  errorInfoSchema,
  INSTANCE_STATES,
  NODE_STATES,
  CERTIFICATE_TYPES,
  type ErrorInfo,
  type InstanceState,
  type NodeState,
  type CertificateType,
} from './common.js';
export {
  aosIdentitySchema,
  AOS_IDENTITY_TYPES,
  identityById,
  identityByCodename,
  identityKey,
  isSameIdentity,
  type AosIdentity,
  type AosIdentityInput,
  type AosIdentityType,
} from './identity.js';
export { headerSchema, type Header, type Envelope } from './header.js';
export * from './replies.js';
export * from './desired-status.js';
export * from './unit-config.js';
export * from './unit-status.js';
export * from './blobs.js';
export * from './plain-blob.js';
export * from './monitoring.js';
export * from './alerts.js';
export * from './state.js';
export * from './state-checksum.js';
export * from './logs.js';
export * from './log-follow.js';
export * from './env-vars.js';
export * from './certificates.js';
export * from './provisioning.js';
export * from './catalog.js';
export {
  parseEnvelope,
  createEnvelope,
  parseMessageData,
  encodeEnvelope,
  createAck,
  createNack,
  createErrorReply,
  REFUSED_RETRY_AFTER_MS,
  type RawFrame,
  type ParseEnvelopeResult,
  type ParseEnvelopeOptions,
  type CreateEnvelopeOptions,
} from './envelope.js';
export { canonicalJson, digestCanonicalJson } from './canonical-json.js';
export {
  signDesiredStatus,
  verifyDesiredStatus,
  digestDesiredStatus,
  desiredStatusSignaturePayloadSchema,
  type DesiredStatusSignaturePayload,
  type SignDesiredStatusOptions,
  type VerifyDesiredStatusOptions,
  type VerifyDesiredStatusResult,
  type DesiredStatusRefusalCode,
  type AppliedDesiredStatus,
} from './desired-status-signature.js';
export { DEFAULT_CHANNEL_LIMITS, CLOSE_CODES, type ChannelLimits } from './channel-limits.js';
export { createChannel } from './channel.js';
export type {
  Channel,
  CloudChannel,
  UnitChannel,
  ChannelSocket,
  ChannelOptions,
  ChannelClosed,
  ChannelStats,
  MessageContext,
  MessageHandler,
  SendableType,
  HandledType,
  Outgoing,
} from './channel-types.js';
