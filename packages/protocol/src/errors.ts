export type ProtocolErrorCode =
  | 'invalid-json'
  | 'invalid-envelope'
  | 'unsupported-version'
  | 'unknown-message-type'
  | 'wrong-direction'
  | 'invalid-message';

/** The one error class of @openaos/protocol. `issues` lists each field problem ("path: message"). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  readonly messageType: string | undefined;
  readonly issues: string[];
  constructor(
    code: ProtocolErrorCode,
    message: string,
    options: { cause?: unknown; messageType?: string; issues?: string[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.messageType = options.messageType;
    this.issues = options.issues ?? [];
  }
}
