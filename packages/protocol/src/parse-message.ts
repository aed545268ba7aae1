import type { z } from 'zod';
import { PROTOCOL_VERSION } from './common.js';
import {
  cloudToUnitMessages,
  headerSchema,
  messageSchemas,
  unitToCloudMessages,
  type AnyMessage,
  type CloudToUnitMessage,
  type Envelope,
  type MessageInput,
  type MessageOf,
  type MessageType,
  type UnitToCloudMessage,
} from './catalog.js';
import { ProtocolError } from './errors.js';

export type ParseResult<M> = { ok: true; message: Envelope<M> } | { ok: false; error: ProtocolError };

/** Which side is receiving: 'unit' accepts cloud→unit messages, 'cloud' unit→cloud ones. */
export type Receiver = 'unit' | 'cloud' | 'any';

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

function fail(
  code: ProtocolError['code'],
  message: string,
  options?: ConstructorParameters<typeof ProtocolError>[2],
): { ok: false; error: ProtocolError } {
  return { ok: false, error: new ProtocolError(code, message, options) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parse a received frame (JSON text, Buffer or an already-decoded value) into a typed envelope.
 * Never throws: a bad frame yields `{ok:false, error}` whose code says what was wrong, ready to
 * be turned into an `error` reply with {@link createErrorReply}.
 */
export function parseMessage(
  input: string | Buffer | unknown,
  options: { receiver: 'unit' },
): ParseResult<CloudToUnitMessage>;
export function parseMessage(
  input: string | Buffer | unknown,
  options: { receiver: 'cloud' },
): ParseResult<UnitToCloudMessage>;
export function parseMessage(
  input: string | Buffer | unknown,
  options?: { receiver?: Receiver },
): ParseResult<AnyMessage>;
export function parseMessage(
  input: string | Buffer | unknown,
  options: { receiver?: Receiver } = {},
): ParseResult<AnyMessage> {
  let value: unknown = input;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    try {
      value = JSON.parse(input.toString());
    } catch (cause) {
      return fail(
        'invalid-json',
        `parsing message: not JSON (${(cause as Error).message}); send a UTF-8 JSON object {header, data}`,
        { cause },
      );
    }
  }
  if (!isRecord(value) || !isRecord(value.header) || !isRecord(value.data)) {
    return fail(
      'invalid-envelope',
      'parsing message: expected an object {header: {version, systemId}, data: {messageType, ...}}',
    );
  }
  if (value.header.version !== PROTOCOL_VERSION) {
    return fail(
      'unsupported-version',
      `parsing message: protocol version ${String(value.header.version)} is not supported; this side speaks version ${PROTOCOL_VERSION}`,
    );
  }
  const header = headerSchema.safeParse(value.header);
  if (!header.success) {
    return fail('invalid-envelope', 'parsing message header: ' + describeIssues(header.error).join('; '), {
      issues: describeIssues(header.error),
    });
  }
  const messageType = value.data.messageType;
  if (typeof messageType !== 'string' || !(messageType in messageSchemas)) {
    return fail(
      'unknown-message-type',
      `parsing message: unknown messageType ${JSON.stringify(messageType)}; known: ${Object.keys(messageSchemas).join(', ')}`,
    );
  }
  const receiver = options.receiver ?? 'any';
  const allowed =
    receiver === 'unit' ? cloudToUnitMessages : receiver === 'cloud' ? unitToCloudMessages : messageSchemas;
  if (!(messageType in allowed)) {
    return fail('wrong-direction', `parsing message: ${messageType} is not sent to the ${receiver}`, { messageType });
  }
  const schema = messageSchemas[messageType as MessageType];
  const data = schema.safeParse(value.data);
  if (!data.success) {
    const issues = describeIssues(data.error);
    return fail('invalid-message', `parsing ${messageType}: ${issues.join('; ')}`, { messageType, issues });
  }
  return { ok: true, message: { header: header.data, data: data.data as AnyMessage } };
}

/** Validate and parse only the data part of one message type (e.g. a local desired-status file). Throws ProtocolError. */
export function parseMessageData<T extends MessageType>(messageType: T, data: unknown): MessageOf<T> {
  const result = messageSchemas[messageType].safeParse(data);
  if (!result.success) {
    const issues = describeIssues(result.error);
    throw new ProtocolError('invalid-message', `parsing ${messageType}: ${issues.join('; ')}`, {
      messageType,
      issues,
      cause: result.error,
    });
  }
  return result.data as MessageOf<T>;
}

/** Build a validated envelope ready to send. Throws ProtocolError('invalid-message') on a bad message. */
export function createMessage<T extends MessageType>(
  systemId: string,
  data: MessageInput<T> & { messageType: T },
  extra: { txn?: string } = {},
): Envelope<MessageOf<T>> {
  const parsed = parseMessageData(data.messageType, data);
  return {
    header: {
      version: PROTOCOL_VERSION,
      systemId,
      ...(extra.txn ? { txn: extra.txn } : {}),
      createdAt: new Date().toISOString(),
    },
    data: parsed,
  };
}

/** The `error` reply for a message that failed to parse. */
export function createErrorReply(
  systemId: string,
  error: ProtocolError,
  correlationId?: string,
): Envelope<MessageOf<'error'>> {
  return createMessage(systemId, {
    messageType: 'error',
    code: error.code,
    message: error.message,
    ...(correlationId ? { correlationId } : {}),
  });
}
