/**
 * Why a unit's upgrade or blob request is refused, with the HTTP status the gateway answers with
 * (docs/unit-channel.md "Endpoints"): the agent stops reconnecting on 401/403/409/410.
 */
export type UnitAccessCode =
  | 'bad-request'
  | 'unknown-token'
  | 'token-for-another-unit'
  | 'token-used'
  | 'token-expired'
  | 'bad-proof'
  | 'replayed-proof'
  | 'unknown-unit'
  | 'unit-not-provisioned'
  | 'unit-revoked'
  | 'not-found'
  | 'too-many-attempts';

const STATUS_OF: Record<UnitAccessCode, number> = {
  'bad-request': 400,
  'unknown-token': 401,
  'token-for-another-unit': 403,
  'token-used': 409,
  'token-expired': 410,
  'bad-proof': 401,
  'replayed-proof': 401,
  'unknown-unit': 401,
  'unit-not-provisioned': 403,
  'unit-revoked': 403,
  'not-found': 404,
  'too-many-attempts': 429,
};

/** A refusal of a unit, answered as HTTP `{code, message}` before any upgrade. */
export class UnitAccessError extends Error {
  override readonly name = 'UnitAccessError';
  readonly status: number;
  constructor(
    readonly code: UnitAccessCode,
    message: string,
  ) {
    super(message);
    this.status = STATUS_OF[code];
  }
}
