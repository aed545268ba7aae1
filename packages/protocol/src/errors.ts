/**
 * What went wrong. Parsing a received frame: `invalid-json`, `invalid-envelope`,
 * `unsupported-version`, `unknown-message-type`, `wrong-direction`, `invalid-message`,
 * `wrong-system` (v7: the header names another unit), `frame-too-large`.
 * The v7 channel adds: `refused` (the peer nacked with an error), `nacked` (the peer kept asking
 * to retry later), `ack-timeout`, `response-timeout`, `closed`, `send-queue-full`,
 * `rate-limited`, `heartbeat-timeout`, `handler-failed`, `unhandled-message`, `unexpected-reply`.
 */
export type ProtocolErrorCode =
  | 'invalid-json'
  | 'invalid-envelope'
  | 'unsupported-version'
  | 'unknown-message-type'
  | 'wrong-direction'
  | 'invalid-message'
  | 'wrong-system'
  | 'frame-too-large'
  | 'refused'
  | 'nacked'
  | 'ack-timeout'
  | 'response-timeout'
  | 'closed'
  | 'send-queue-full'
  | 'rate-limited'
  | 'heartbeat-timeout'
  | 'handler-failed'
  | 'unhandled-message'
  | 'unexpected-reply';

/** The one error class of @openaos/protocol. `issues` lists each field problem ("path: message"). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  readonly messageType: string | undefined;
  readonly issues: string[];
  /** v7: the `header.txn` of the message concerned, when known. */
  readonly txn: string | undefined;
  constructor(
    code: ProtocolErrorCode,
    message: string,
    options: { cause?: unknown; messageType?: string; issues?: string[]; txn?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.messageType = options.messageType;
    this.issues = options.issues ?? [];
    this.txn = options.txn;
  }
}
