import type { ProtocolError } from '../errors.js';
import type {
  IncomingType,
  MessageInput,
  MessageOf,
  OutgoingType,
  ReplyType,
  RequestType,
  ResponseTypeOf,
  Side,
} from './catalog.js';
import type { ChannelLimits } from './channel-limits.js';
import type { Header } from './header.js';

/** What the channel needs of a socket: `ws`'s WebSocket has all of it (client or server side). */
export interface ChannelSocket {
  /** 1 when open (WebSocket.OPEN). */
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Buffer, callback: (error?: Error) => void): void;
  ping(): void;
  terminate(): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'pong', listener: () => void): unknown;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** Messages a side sends with `send` (acks and nacks are the channel's business). */
export type SendableType<S extends Side> = Exclude<OutgoingType<S>, ReplyType>;
/** Messages a side receives in handlers. */
export type HandledType<S extends Side> = Exclude<IncomingType<S>, ReplyType>;
/** The data of a message to send, as written by the sender. */
export type Outgoing<T extends SendableType<Side>> = MessageInput<T> & { messageType: T };

/** What a handler gets besides the parsed data. */
export interface MessageContext<S extends Side> {
  header: Header;
  /** The data object as received, before parsing: what `verifyDesiredStatus` must be given. */
  rawData: Record<string, unknown>;
  /** Send a message carrying this message's `correlationId` (the response to a request); resolves on its ack. */
  reply<T extends SendableType<S>>(data: Outgoing<T>): Promise<void>;
}

export type MessageHandler<S extends Side, T extends HandledType<S>> = (
  data: MessageOf<T>,
  context: MessageContext<S>,
) => void | Promise<void>;

export interface ChannelOptions<S extends Side> {
  /** This side: `cloud` (the gateway) or `unit` (the agent). */
  side: S;
  /** The unit's systemId: stamped on every message sent, required on every message received. */
  systemId: string;
  /** Limits; anything left out takes {@link DEFAULT_CHANNEL_LIMITS}. */
  limits?: Partial<ChannelLimits>;
  /**
   * Problems that do not close the connection: a refused incoming message, a handler that threw,
   * a message without handler, an ack for nothing. Errors thrown here are ignored.
   */
  onError?: (error: ProtocolError) => void;
}

/** How the connection ended. `error.code` says why (`closed` for a plain close by either side). */
export interface ChannelClosed {
  code: number;
  reason: string;
  error: ProtocolError;
}

export interface ChannelStats {
  state: 'open' | 'closing' | 'closed';
  /** Messages held for the peer (unacknowledged sends plus unwritten acks/nacks). */
  queuedMessages: number;
  queuedBytes: number;
  /** Requests waiting for their response. */
  pendingRequests: number;
}

export interface Channel<S extends Side> {
  readonly side: S;
  readonly systemId: string;
  /**
   * Send a message; resolves when the peer acks it. Rejects (never throws) with ProtocolError:
   * `invalid-message`/`wrong-direction` (bad data), `frame-too-large`, `refused` (nack with errorInfo),
   * `nacked` (still nacked after `maxNackRetries` resends), `ack-timeout`, `send-queue-full`,
   * `closed`, `heartbeat-timeout`, `rate-limited`.
   */
  send<T extends SendableType<S>>(data: Outgoing<T>, options?: { ackTimeoutMs?: number }): Promise<void>;
  /**
   * Send a request and resolve with its response (the message of type `RESPONSE_TYPES[type]`
   * with the same `correlationId`, set to a fresh UUID when absent). The response does not go to
   * handlers. Rejects as `send`, or with `response-timeout`.
   */
  request<T extends RequestType & SendableType<S>>(
    data: Outgoing<T>,
    options?: { responseTimeoutMs?: number },
  ): Promise<MessageOf<ResponseTypeOf<T>>>;
  /** Handle one message type (one handler per type; a new one replaces it). Returns a function that removes it. */
  on<T extends HandledType<S>>(messageType: T, handler: MessageHandler<S, T>): () => void;
  /** Close the connection normally; pending sends and requests reject with `closed`. */
  close(reason?: string): void;
  /** Resolves (never rejects) once the socket has closed, whoever closed it. */
  readonly closed: Promise<ChannelClosed>;
  stats(): ChannelStats;
}

/** The gateway's end of a unit's connection. */
export type CloudChannel = Channel<'cloud'>;
/** The agent's end of its connection to the cloud. */
export type UnitChannel = Channel<'unit'>;
