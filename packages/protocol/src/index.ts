/**
 * The cloud's HTTP contract (paths, the `AosCert` scheme and token) and the protocol's error type.
 * The unit protocol itself is `@openaos/protocol/v7`.
 */
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
