import { randomUUID } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import {
  RESPONSE_TYPES,
  type MessageInput,
  type MessageOf,
  type MessageType,
  type ReplyType,
  type RequestType,
  type ResponseTypeOf,
  type Side,
} from './catalog.js';
import { CLOSE_CODES, DEFAULT_CHANNEL_LIMITS, type ChannelLimits } from './channel-limits.js';
import type {
  Channel,
  ChannelClosed,
  ChannelOptions,
  ChannelSocket,
  ChannelStats,
  HandledType,
  MessageContext,
  MessageHandler,
  Outgoing,
  SendableType,
} from './channel-types.js';
import { createAck, createEnvelope, createErrorReply, encodeEnvelope, parseEnvelope } from './envelope.js';
import type { Envelope, Header } from './header.js';
import { Outbox } from './outbox.js';
import { RecentSet } from './recent-set.js';
import { TokenBucket } from './token-bucket.js';

/*
 * The v7 channel: one WebSocket to one unit, on either side. Invariants:
 * - Every received frame is parsed; a bad one gets a nack with `errorInfo` (never an ack, never a
 *   throw), a valid one an ack repeating its `header.txn`, before its handler runs.
 * - Nothing thrown by a handler, a callback or the socket escapes the socket's event handlers.
 * - Everything held for the peer (sent and unacknowledged, acks not yet written) is counted; past
 *   the limits the connection is closed, so a peer that does not read costs bounded memory.
 * - Once closing, every pending send and request is rejected exactly once, with the same error.
 */

const SOCKET_OPEN = 1;
/** Received txns remembered to spot a resent message (acknowledged again, handled once). */
const REMEMBERED_TXNS = 1024;

interface PendingRequest {
  responseType: string;
  timer: NodeJS.Timeout;
  resolve: (data: unknown) => void;
  reject: (error: ProtocolError) => void;
}

type Shutdown = { code: number; reason: string } | 'terminate';

/** Outgoing data inside the channel, once the public signatures have checked its type. */
type AnyOutgoing = MessageInput<MessageType> & { messageType: MessageType; correlationId?: string | null | undefined };

/**
 * Wrap an open socket in a v7 channel for `options.side`. The same code serves the cloud's
 * gateway and the agent's link; see the package README for a complete example.
 */
export function createChannel<S extends Side>(socket: ChannelSocket, options: ChannelOptions<S>): Channel<S> {
  return new V7Channel(socket, options);
}

class V7Channel<S extends Side> implements Channel<S> {
  readonly side: S;
  readonly systemId: string;
  readonly closed: Promise<ChannelClosed>;
  private readonly limits: ChannelLimits;
  private readonly handlers = new Map<string, MessageHandler<S, HandledType<S>>>();
  private readonly outbox: Outbox;
  private readonly pendingRequests = new Map<string, PendingRequest>();
  private readonly receivedTxns = new RecentSet(REMEMBERED_TXNS);
  private readonly incomingBudget: TokenBucket;
  private readonly invalidBudget: TokenBucket;
  private state: ChannelStats['state'] = 'open';
  private isAlive = true;
  private heartbeat: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private closeError: ProtocolError | undefined;
  private socketError: Error | undefined;
  private resolveClosed: (closed: ChannelClosed) => void = () => undefined;
  /** Who is at the other end, for messages: "unit <systemId>" on the cloud, "the cloud" on the unit. */
  private readonly peer: string;

  constructor(
    private readonly socket: ChannelSocket,
    private readonly options: ChannelOptions<S>,
  ) {
    this.side = options.side;
    this.systemId = options.systemId;
    this.peer = options.side === 'cloud' ? `unit ${options.systemId}` : 'the cloud';
    this.limits = { ...DEFAULT_CHANNEL_LIMITS, ...options.limits };
    this.incomingBudget = new TokenBucket(this.limits.maxIncomingPerSecond, this.limits.maxIncomingBurst);
    this.invalidBudget = new TokenBucket(this.limits.maxInvalidPerMinute / 60, this.limits.maxInvalidBurst);
    this.outbox = new Outbox({
      limits: this.limits,
      peer: this.peer,
      write: (frame, onWritten) => this.write(frame, onWritten),
      isOpen: () => this.state === 'open',
      overflow: (error) =>
        this.shutdown(error, { code: CLOSE_CODES.policyViolation, reason: 'send queue full: the peer is not reading' }),
    });
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    socket.on('message', (frame) => this.guard(() => this.receive(frame)));
    socket.on('pong', () => {
      this.isAlive = true;
    });
    socket.on('error', (error) => {
      this.socketError = error;
    });
    socket.on('close', (code, reason) => this.guard(() => this.finish(code, reason.toString())));
    if (socket.readyState !== SOCKET_OPEN) {
      this.closeError = new ProtocolError(
        'closed',
        `opening the channel to ${this.peer}: the socket is not open (readyState ${socket.readyState}); create the channel once the socket is open`,
      );
      this.finish(1006, '');
      return;
    }
    this.startHeartbeat();
  }

  send<T extends SendableType<S>>(data: Outgoing<T>, options: { ackTimeoutMs?: number } = {}): Promise<void> {
    return this.sendData(data as AnyOutgoing, options.ackTimeoutMs ?? this.limits.ackTimeoutMs);
  }

  private sendData(data: AnyOutgoing, ackTimeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const messageType = data.messageType;
      if (this.state !== 'open') return reject(this.notOpenError(`sending ${messageType}`));
      let envelope: Envelope;
      try {
        envelope = createEnvelope(data, { systemId: this.systemId, sender: this.side });
      } catch (error) {
        return reject(error);
      }
      const frame = Buffer.from(encodeEnvelope(envelope));
      if (frame.length > this.limits.maxFrameBytes) {
        return reject(
          new ProtocolError(
            'frame-too-large',
            `sending ${messageType}: ${frame.length} bytes is over the frame limit of ${this.limits.maxFrameBytes}; split it (logs into parts)`,
            { messageType },
          ),
        );
      }
      const message = { txn: envelope.header.txn, messageType, ackTimeoutMs };
      const isQueued = this.outbox.sendExpectingAck(frame, message, (error) => (error ? reject(error) : resolve()));
      if (!isQueued) reject(this.notOpenError(`sending ${messageType}`));
    });
  }

  request<T extends RequestType & SendableType<S>>(
    data: Outgoing<T>,
    options: { responseTimeoutMs?: number } = {},
  ): Promise<MessageOf<ResponseTypeOf<T>>> {
    const requestType = data.messageType as RequestType;
    const correlationId = data.correlationId ?? randomUUID();
    const timeoutMs = options.responseTimeoutMs ?? this.limits.responseTimeoutMs;
    return new Promise((resolve, reject) => {
      if (this.pendingRequests.has(correlationId)) {
        const message = `requesting ${requestType}: correlationId ${correlationId} is already waiting for a response; use a fresh one`;
        return reject(new ProtocolError('invalid-message', message, { messageType: requestType }));
      }
      const waiter: PendingRequest = {
        responseType: RESPONSE_TYPES[requestType],
        resolve: resolve as (data: unknown) => void,
        reject,
        timer: setTimeout(() => {
          if (this.pendingRequests.get(correlationId) !== waiter) return;
          this.pendingRequests.delete(correlationId);
          reject(
            new ProtocolError(
              'response-timeout',
              `requesting ${requestType} (correlationId ${correlationId}): no ${RESPONSE_TYPES[requestType]} within ${timeoutMs} ms; try again later`,
              { messageType: requestType },
            ),
          );
        }, timeoutMs),
      };
      this.pendingRequests.set(correlationId, waiter);
      this.sendData({ ...(data as AnyOutgoing), correlationId }, this.limits.ackTimeoutMs).catch((error: unknown) => {
        if (this.pendingRequests.get(correlationId) !== waiter) return;
        this.pendingRequests.delete(correlationId);
        clearTimeout(waiter.timer);
        reject(error);
      });
    });
  }

  on<T extends HandledType<S>>(messageType: T, handler: MessageHandler<S, T>): () => void {
    const stored = handler as unknown as MessageHandler<S, HandledType<S>>;
    this.handlers.set(messageType, stored);
    return () => {
      if (this.handlers.get(messageType) === stored) this.handlers.delete(messageType);
    };
  }

  close(reason = 'closed by this side'): void {
    this.shutdown(new ProtocolError('closed', `the connection to ${this.peer} was closed: ${reason}`), {
      code: CLOSE_CODES.normal,
      reason,
    });
  }

  stats(): ChannelStats {
    return {
      state: this.state,
      queuedMessages: this.outbox.queuedMessages,
      queuedBytes: this.outbox.queuedBytes,
      pendingRequests: this.pendingRequests.size,
    };
  }

  private receive(frame: Buffer | ArrayBuffer | Buffer[]): void {
    if (this.state !== 'open') return;
    if (!this.incomingBudget.take()) {
      const error = new ProtocolError(
        'rate-limited',
        `receiving from ${this.peer}: more than ${this.limits.maxIncomingPerSecond} messages per second (burst ${this.limits.maxIncomingBurst}); closing the connection`,
      );
      this.shutdown(error, { code: CLOSE_CODES.policyViolation, reason: 'too many messages per second' });
      return;
    }
    const parsed = parseEnvelope(frame, {
      receiver: this.side,
      systemId: this.systemId,
      maxFrameBytes: this.limits.maxFrameBytes,
    });
    if (!parsed.ok) {
      this.refuse(parsed.error, parsed.txn, parsed.messageType);
      return;
    }
    const { header, data } = parsed.envelope;
    if (data.messageType === 'ack') {
      if (!this.outbox.acknowledge(header.txn)) this.reportUnexpectedReply('ack', header.txn);
    } else if (data.messageType === 'nack') {
      if (!this.outbox.refuse(header.txn, data)) this.reportUnexpectedReply('nack', header.txn);
    } else {
      this.deliver(header, data as MessageOf<HandledType<S>>, parsed.rawData);
    }
  }

  private refuse(error: ProtocolError, txn: string | undefined, messageType: string | undefined): void {
    if (error.code === 'frame-too-large') {
      this.shutdown(error, { code: CLOSE_CODES.messageTooBig, reason: 'frame too large' });
      return;
    }
    this.report(error);
    if (!this.invalidBudget.take()) {
      const flood = new ProtocolError(
        'rate-limited',
        `receiving from ${this.peer}: more than ${this.limits.maxInvalidBurst} invalid messages (then ${this.limits.maxInvalidPerMinute} a minute); closing the connection. Last: ${error.message}`,
        { cause: error },
      );
      this.shutdown(flood, { code: CLOSE_CODES.policyViolation, reason: 'too many invalid messages' });
      return;
    }
    // Answering a broken ack or nack could start an endless exchange: it is only reported.
    if (messageType === 'ack' || messageType === 'nack') return;
    this.writeReply(createErrorReply(error, { systemId: this.systemId, ...(txn !== undefined && { txn }) }));
  }

  private deliver(header: Header, data: MessageOf<HandledType<S>>, rawData: Record<string, unknown>): void {
    const isResent = this.receivedTxns.has(header.txn);
    this.receivedTxns.add(header.txn);
    this.writeReply(createAck(header.txn, { systemId: this.systemId }));
    if (isResent || this.state !== 'open') return;
    const correlationId = data.correlationId ?? undefined;
    const waiter = correlationId === undefined ? undefined : this.pendingRequests.get(correlationId);
    if (correlationId !== undefined && waiter?.responseType === data.messageType) {
      this.pendingRequests.delete(correlationId);
      clearTimeout(waiter.timer);
      waiter.resolve(data);
      return;
    }
    const handler = this.handlers.get(data.messageType);
    if (handler === undefined) {
      this.report(
        new ProtocolError(
          'unhandled-message',
          `received ${data.messageType} (txn ${header.txn}) from ${this.peer} with no handler for it; it was acknowledged and dropped`,
          { txn: header.txn, messageType: data.messageType },
        ),
      );
      return;
    }
    const context: MessageContext<S> = {
      header,
      rawData,
      reply: (reply) => {
        const outgoing = reply as AnyOutgoing;
        return this.sendData(
          { ...outgoing, correlationId: outgoing.correlationId ?? correlationId },
          this.limits.ackTimeoutMs,
        );
      },
    };
    Promise.resolve()
      .then(() => handler(data, context))
      .catch((error: unknown) =>
        this.report(
          new ProtocolError(
            'handler-failed',
            `handling ${data.messageType} (txn ${header.txn}) from ${this.peer}: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error, txn: header.txn, messageType: data.messageType },
          ),
        ),
      );
  }

  /** Write an ack or nack (counted by the outbox until the socket has taken it). */
  private writeReply(envelope: Envelope): void {
    if (this.state !== 'open') return;
    this.outbox.sendReply(Buffer.from(encodeEnvelope(envelope)));
  }

  private write(frame: Buffer, onWritten?: () => void): void {
    try {
      this.socket.send(frame, () => onWritten?.());
    } catch (error) {
      onWritten?.();
      const message = error instanceof Error ? error.message : String(error);
      this.shutdown(new ProtocolError('closed', `writing to ${this.peer}: ${message}`, { cause: error }), 'terminate');
    }
  }

  private startHeartbeat(): void {
    const interval = this.limits.pingIntervalMs;
    if (interval <= 0) return;
    this.heartbeat = setInterval(() => {
      this.guard(() => {
        if (!this.isAlive) {
          const error = new ProtocolError(
            'heartbeat-timeout',
            `pinging ${this.peer}: no pong within ${interval} ms, the link is dead; terminating the connection`,
          );
          this.shutdown(error, 'terminate');
          return;
        }
        this.isAlive = false;
        this.socket.ping();
      });
    }, interval);
  }

  /** Start closing: reject everything pending, then close (or terminate) the socket. */
  private shutdown(error: ProtocolError, how: Shutdown): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.closeError = error;
    clearInterval(this.heartbeat);
    this.failPending(error);
    if (how === 'terminate') {
      this.terminateSocket();
      return;
    }
    try {
      this.socket.close(how.code, how.reason);
    } catch {
      this.terminateSocket();
      return;
    }
    this.closeTimer = setTimeout(() => this.terminateSocket(), this.limits.closeTimeoutMs);
  }

  /** The socket has closed: settle everything and resolve `closed`. */
  private finish(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearInterval(this.heartbeat);
    clearTimeout(this.closeTimer);
    const cause = this.socketError;
    const error =
      this.closeError ??
      new ProtocolError(
        'closed',
        `the connection to ${this.peer} closed (code ${code}${reason ? `: ${reason}` : ''}${cause ? `; ${cause.message}` : ''}); reconnect to resynchronise`,
        { cause },
      );
    this.closeError = error;
    this.failPending(error);
    this.resolveClosed({ code, reason, error });
  }

  private failPending(error: ProtocolError): void {
    this.outbox.failAll(error);
    for (const waiter of this.pendingRequests.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.pendingRequests.clear();
  }

  private terminateSocket(): void {
    try {
      this.socket.terminate();
    } catch {
      // Already destroyed: its close event has fired or will.
    }
  }

  private notOpenError(what: string): ProtocolError {
    return this.closeError ?? new ProtocolError('closed', `${what}: the connection to ${this.peer} is closed`);
  }

  private reportUnexpectedReply(kind: ReplyType, txn: string): void {
    this.report(
      new ProtocolError(
        'unexpected-reply',
        `received ${kind} for txn ${txn} from ${this.peer}, which waits for nothing (acknowledged after its timeout?)`,
        { txn, messageType: kind },
      ),
    );
  }

  private report(error: ProtocolError): void {
    try {
      this.options.onError?.(error);
    } catch {
      // The application's error callback must not break the socket handler.
    }
  }

  /** Run socket-event work so that nothing it throws escapes into the socket's emitter. */
  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.report(new ProtocolError('handler-failed', `the channel to ${this.peer}: ${message}`, { cause: error }));
      this.shutdown(
        new ProtocolError('closed', `the channel to ${this.peer} failed: ${message}`, { cause: error }),
        'terminate',
      );
    }
  }
}
