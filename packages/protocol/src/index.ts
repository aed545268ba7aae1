export {
  PROTOCOL_VERSION,
  errorInfoSchema,
  digestSchema,
  instanceIdentSchema,
  type ErrorInfo,
  type InstanceIdent,
} from './common.js';
export {
  desiredStatusSchema,
  desiredServiceSchema,
  desiredInstanceSchema,
  unitConfigSchema,
  type DesiredStatus,
  type DesiredService,
  type DesiredInstance,
} from './desired-status.js';
export {
  unitStatusSchema,
  serviceStatusSchema,
  instanceStatusSchema,
  nodeStatusSchema,
  SERVICE_STATUSES,
  INSTANCE_STATUSES,
  type UnitStatus,
  type ServiceStatus,
  type InstanceStatus,
  type ServiceStatusItem,
  type InstanceStatusItem,
} from './unit-status.js';
export {
  monitoringDataSchema,
  monitoringItemSchema,
  alertsSchema,
  alertItemSchema,
  type MonitoringData,
  type MonitoringItem,
  type Alerts,
  type AlertItem,
} from './monitoring.js';
export { requestLogSchema, pushLogSchema, type RequestLog, type PushLog } from './logs.js';
export { ackSchema, nackSchema, errorReplySchema, type Ack, type Nack, type ErrorReply } from './replies.js';
export {
  messageSchemas,
  cloudToUnitMessages,
  unitToCloudMessages,
  headerSchema,
  type MessageType,
  type CloudToUnitType,
  type UnitToCloudType,
  type MessageOf,
  type MessageInput,
  type AnyMessage,
  type CloudToUnitMessage,
  type UnitToCloudMessage,
  type Header,
  type Envelope,
} from './catalog.js';
export {
  parseMessage,
  parseMessageData,
  createMessage,
  createErrorReply,
  type ParseResult,
  type Receiver,
} from './parse-message.js';
export { ProtocolError, type ProtocolErrorCode } from './errors.js';
export {
  CLOUD_HTTP_PATHS,
  isUploadPath,
  CERTIFICATE_AUTH_SCHEME,
  CERTIFICATE_TOKEN_LIFETIME_SECONDS,
  MAX_CERTIFICATE_TOKEN_LIFETIME_SECONDS,
  CERTIFICATE_TOKEN_CLOCK_SKEW_SECONDS,
  certificateTokenPayloadSchema,
  createCertificateToken,
  formatCertificateAuthorization,
  readCertificateAuthorization,
  unitBlobPath,
  PERMANENT_REFUSAL_STATUSES,
  type UnitRefusal,
  type CertificateTokenPayload,
} from './http-contract.js';
