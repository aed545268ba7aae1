/** What went wrong while generating a runtime spec. */
export type SpecErrorCode =
  | 'unsupported-platform'
  | 'invalid-image-config'
  | 'invalid-instance'
  | 'invalid-quota'
  | 'missing-unit-setting'
  | 'unknown-device'
  | 'unknown-resource'
  | 'invalid-sysctl'
  | 'invalid-schema';

/** The one error class of @openaos/spec. `code` says which input was wrong. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  readonly code: SpecErrorCode;

  constructor(code: SpecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
