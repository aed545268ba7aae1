import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import type { ApiErrorCode } from '../errors.js';

/** The one mapping of domain error codes to tRPC codes. */
export const TRPC_CODE_OF: Record<ApiErrorCode, TRPC_ERROR_CODE_KEY> = {
  unauthenticated: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  'not-found': 'NOT_FOUND',
  'already-exists': 'CONFLICT',
  'invalid-input': 'BAD_REQUEST',
  'delete-blocked': 'PRECONDITION_FAILED',
  'version-not-newer': 'CONFLICT',
  'package-invalid': 'UNPROCESSABLE_CONTENT',
  'untrusted-signer': 'FORBIDDEN',
  'wrong-signer': 'FORBIDDEN',
  'service-mismatch': 'UNPROCESSABLE_CONTENT',
  'payload-too-large': 'PAYLOAD_TOO_LARGE',
  'image-build-failed': 'UNPROCESSABLE_CONTENT',
  'rate-limited': 'TOO_MANY_REQUESTS',
  'unit-offline': 'SERVICE_UNAVAILABLE',
  'unit-refused': 'BAD_GATEWAY',
  internal: 'INTERNAL_SERVER_ERROR',
};

/** The one mapping of domain error codes to HTTP statuses, for the plain HTTP endpoints (upload). */
export const HTTP_STATUS_OF: Record<ApiErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'already-exists': 409,
  'invalid-input': 400,
  'delete-blocked': 412,
  'version-not-newer': 409,
  'package-invalid': 422,
  'untrusted-signer': 403,
  'wrong-signer': 403,
  'service-mismatch': 422,
  'payload-too-large': 413,
  'image-build-failed': 422,
  'rate-limited': 429,
  'unit-offline': 503,
  'unit-refused': 502,
  internal: 500,
};
