import { randomUUID } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import {
  incomingMessages,
  messageSchemas,
  type AnyMessage,
  type CloudToUnitMessage,
  type MessageInput,
  type MessageOf,
  type MessageType,
  type Side,
  type UnitToCloudMessage,
} from './catalog.js';
import { PROTOCOL_VERSION_7 } from './common.js';
import { describeIssues } from './describe-issues.js';
import { headerSchema, type Envelope, type Header } from './header.js';

/** A frame as a WebSocket delivers it (text, bytes, or ws's fragments), or an already decoded value. */
export type RawFrame = string | Uint8Array | ArrayBuffer | readonly Uint8Array[];

/** Success carries the envelope and `rawData`, the `data` object exactly as received (for signature checks). */
export type ParseEnvelopeResult<M> =
  | { ok: true; envelope: Envelope<M>; rawData: Record<string, unknown> }
  | {
      ok: false;
      error: ProtocolError;
      /** `header.txn` of the bad message when it could be read: the nack replies to it. */
      txn?: string;
      /** `data.messageType` when it could be read. */
      messageType?: string;
    };

export interface ParseEnvelopeOptions {
  /** Which side receives: a unit accepts only cloud→unit messages, the cloud only unit→cloud ones. */
  receiver: Side | 'any';
  /** Refuse (`wrong-system`) a header naming another unit. */
  systemId?: string;
  /** Refuse (`frame-too-large`) a frame longer than this many bytes, before decoding it. */
  maxFrameBytes?: number;
}

type Failure = Extract<ParseEnvelopeResult<never>, { ok: false }>;

/**
 * Parse a received frame (a {@link RawFrame}, or a value already decoded from JSON) into a typed
 * v7 envelope. Never throws: a bad frame gives
 * `{ok: false, error}` whose code says what was wrong (and `txn` when known), ready for
 * {@link createErrorReply}.
 */
export function parseEnvelope(
  input: unknown,
  options: ParseEnvelopeOptions & { receiver: 'unit' },
): ParseEnvelopeResult<CloudToUnitMessage>;
export function parseEnvelope(
  input: unknown,
  options: ParseEnvelopeOptions & { receiver: 'cloud' },
): ParseEnvelopeResult<UnitToCloudMessage>;
export function parseEnvelope(input: unknown, options: ParseEnvelopeOptions): ParseEnvelopeResult<AnyMessage>;
export function parseEnvelope(input: unknown, options: ParseEnvelopeOptions): ParseEnvelopeResult<AnyMessage> {
  const decoded = decodeFrame(input, options.maxFrameBytes);
  if (!decoded.ok) return decoded;
  const value = decoded.value;
  if (!isRecord(value) || !isRecord(value.header) || !isRecord(value.data)) {
    return fail('invalid-envelope', 'parsing message: expected a JSON object {header: {…}, data: {messageType, …}}');
  }
  const known = {
    ...(typeof value.header.txn === 'string' && { txn: value.header.txn }),
    ...(typeof value.data.messageType === 'string' && { messageType: value.data.messageType }),
  };
  if (value.header.version !== undefined && value.header.version !== PROTOCOL_VERSION_7) {
    return fail(
      'unsupported-version',
      `parsing message: protocol version ${JSON.stringify(value.header.version)} is not spoken here; send version ${PROTOCOL_VERSION_7}`,
      known,
    );
  }
  const header = headerSchema.safeParse(value.header);
  if (!header.success) {
    const issues = describeIssues(header.error, 'header');
    return fail('invalid-envelope', `parsing message header: ${issues.join('; ')}`, { ...known, issues });
  }
  if (options.systemId !== undefined && header.data.systemId !== options.systemId) {
    return fail(
      'wrong-system',
      `parsing message: header.systemId ${JSON.stringify(header.data.systemId)} is not this connection's unit ${JSON.stringify(options.systemId)}`,
      known,
    );
  }
  return parseData(value.data, header.data, options.receiver, known);
}

function parseData(
  rawData: Record<string, unknown>,
  header: Header,
  receiver: Side | 'any',
  known: { txn?: string; messageType?: string },
): ParseEnvelopeResult<AnyMessage> {
  const messageType = rawData.messageType;
  if (typeof messageType !== 'string' || !Object.hasOwn(messageSchemas, messageType)) {
    return fail(
      'unknown-message-type',
      `parsing message: unknown data.messageType ${JSON.stringify(messageType)}; v7 knows ${Object.keys(messageSchemas).join(', ')}`,
      known,
    );
  }
  if (receiver !== 'any' && !Object.hasOwn(incomingMessages(receiver), messageType)) {
    return fail('wrong-direction', `parsing message: ${messageType} is not a message the ${receiver} receives`, known);
  }
  const data = messageSchemas[messageType as MessageType].safeParse(rawData);
  if (!data.success) {
    const issues = describeIssues(data.error, 'data');
    return fail('invalid-message', `parsing ${messageType}: ${issues.join('; ')}`, { ...known, issues });
  }
  return { ok: true, envelope: { header, data: data.data as AnyMessage }, rawData };
}

function decodeFrame(input: unknown, maxFrameBytes: number | undefined): { ok: true; value: unknown } | Failure {
  const bytes = frameBytes(input);
  if (bytes === undefined) return { ok: true, value: input };
  if (maxFrameBytes !== undefined && bytes.byteLength > maxFrameBytes) {
    return fail(
      'frame-too-large',
      `receiving message: the frame is ${bytes.byteLength} bytes, over the limit of ${maxFrameBytes}; send smaller messages (split logs into parts)`,
    );
  }
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch (cause) {
    return fail(
      'invalid-json',
      `parsing message: not UTF-8 JSON (${(cause as Error).message}); send one JSON object {header, data} per frame`,
      { cause },
    );
  }
}

/** The frame's bytes, or undefined when the input is an already decoded value. */
function frameBytes(input: unknown): Uint8Array | undefined {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (Array.isArray(input) && input.every((part) => part instanceof Uint8Array)) return Buffer.concat(input);
  return undefined;
}

function fail(
  code: ProtocolError['code'],
  message: string,
  options: { txn?: string; messageType?: string; issues?: string[]; cause?: unknown } = {},
): Failure {
  const error = new ProtocolError(code, message, options);
  return {
    ok: false,
    error,
    ...(options.txn !== undefined && { txn: options.txn }),
    ...(options.messageType !== undefined && { messageType: options.messageType }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface CreateEnvelopeOptions {
  /** The unit's systemId (in both directions). */
  systemId: string;
  /** Default: a fresh v4 UUID. An ack or nack repeats the txn of the message it answers. */
  txn?: string;
  /** Default: now. */
  createdAt?: Date;
  /** Refuse (`wrong-direction`) a message this side does not send. */
  sender?: Side;
}

/**
 * Build a validated envelope from data we send. Throws ProtocolError (`invalid-message`,
 * `wrong-direction`): building an invalid message is a bug of the caller, unlike receiving one.
 * The data comes out parsed, so defaults are filled in and unknown fields dropped.
 */
export function createEnvelope<T extends MessageType>(
  data: MessageInput<T> & { messageType: T },
  options: CreateEnvelopeOptions,
): Envelope<MessageOf<T>> {
  const messageType = data.messageType;
  if (options.sender !== undefined) {
    const sent = incomingMessages(options.sender === 'unit' ? 'cloud' : 'unit');
    if (!Object.hasOwn(sent, messageType)) {
      throw new ProtocolError('wrong-direction', `building ${messageType}: the ${options.sender} does not send it`, {
        messageType,
      });
    }
  }
  return {
    header: {
      version: PROTOCOL_VERSION_7,
      systemId: options.systemId,
      createdAt: (options.createdAt ?? new Date()).toISOString(),
      txn: options.txn ?? randomUUID(),
    },
    data: parseMessageData(messageType, data),
  };
}

/** Validate the data of one message type; throws ProtocolError('invalid-message') naming each bad field. */
export function parseMessageData<T extends MessageType>(messageType: T, data: unknown): MessageOf<T> {
  const result = messageSchemas[messageType].safeParse(data);
  if (!result.success) {
    const issues = describeIssues(result.error, 'data');
    throw new ProtocolError('invalid-message', `building ${messageType}: ${issues.join('; ')}`, {
      messageType,
      issues,
      cause: result.error,
    });
  }
  return result.data as MessageOf<T>;
}

/** The JSON text of an envelope, as sent in one WebSocket frame. */
export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}

/** `ack` of the message whose header carried `txn`. */
export function createAck(txn: string, options: { systemId: string; createdAt?: Date }): Envelope<MessageOf<'ack'>> {
  return createEnvelope({ messageType: 'ack' }, { ...options, txn });
}

/** `nack` of the message whose header carried `txn`: resend after `retryAfter` ms (default 500). */
export function createNack(
  txn: string,
  options: { systemId: string; retryAfter?: number; createdAt?: Date },
): Envelope<MessageOf<'nack'>> {
  return createEnvelope(
    { messageType: 'nack', ...(options.retryAfter !== undefined && { retryAfter: options.retryAfter }) },
    { systemId: options.systemId, txn, ...(options.createdAt && { createdAt: options.createdAt }) },
  );
}

/**
 * How long a refused message's nack tells the peer to wait. OpenAos peers do not resend a refused
 * message at all; AosEdge peers resend a nacked message after `retryAfter` without limit, so a
 * long wait keeps that loop slow.
 */
export const REFUSED_RETRY_AFTER_MS = 60_000;

/**
 * The typed error reply to a message that could not be accepted: a `nack` with the OpenAos
 * `errorInfo` `{code, message}` and a long `retryAfter`. `txn` is the bad message's (a fresh
 * one when it could not be read, so the peer can only log it).
 */
export function createErrorReply(
  error: ProtocolError,
  options: { systemId: string; txn?: string; createdAt?: Date },
): Envelope<MessageOf<'nack'>> {
  return createEnvelope(
    {
      messageType: 'nack',
      retryAfter: REFUSED_RETRY_AFTER_MS,
      errorInfo: { code: error.code, message: truncate(error.message, 2_000) },
    },
    {
      systemId: options.systemId,
      txn: options.txn ?? randomUUID(),
      ...(options.createdAt && { createdAt: options.createdAt }),
    },
  );
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
