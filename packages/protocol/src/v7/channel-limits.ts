/**
 * The limits of a v7 channel. Each is per connection, so one misbehaving peer costs at most these
 * amounts; every one can be set in `createChannel`'s options.
 */
export interface ChannelLimits {
  /**
   * Largest frame accepted or sent, in bytes. Default 1 MiB: a desired status of hundreds of
   * items or a log part fits many times over. Give the same value to ws as `maxPayload` so ws
   * refuses a bigger frame before buffering it (ws's own default is 100 MiB).
   */
  maxFrameBytes: number;
  /**
   * Messages held for the peer: sent and not yet acknowledged, plus acks not yet written.
   * Default 256. When a peer lets more pile up, the channel closes the connection (1008).
   */
  maxQueuedMessages: number;
  /** The bytes of those messages. Default 4 MiB. Over it, the channel closes the connection (1008). */
  maxQueuedBytes: number;
  /** How long a sent message waits for its ack before it is sent again (same txn). Default 10 s. */
  ackTimeoutMs: number;
  /** How many times an unacknowledged message is sent again before `send` rejects with `ack-timeout`. Default 3 (as AosCore). */
  maxAckRetries: number;
  /** How long `request` waits for the response after sending. Default 60 s. */
  responseTimeoutMs: number;
  /** How many times a message is resent after a plain nack ("retry later") before `send` rejects with `nacked`. Default 3. */
  maxNackRetries: number;
  /** The longest `retryAfter` of a nack that is honoured; longer ones are cut to this. Default 60 s. */
  maxRetryAfterMs: number;
  /**
   * Ping period. A peer that has not answered the previous ping with a pong when the next one is
   * due is cut off with `terminate()`, so a dead link is found within two periods. Default 20 s;
   * 0 turns heartbeats off.
   */
  pingIntervalMs: number;
  /** Incoming messages per second the peer may keep up. Default 50. Over it: close (1008). */
  maxIncomingPerSecond: number;
  /** Incoming messages the peer may send at once above that rate (a burst of log parts). Default 200. */
  maxIncomingBurst: number;
  /** Invalid messages (each answered with a refusal) the peer may send at once. Default 10. Over it: close (1008). */
  maxInvalidBurst: number;
  /** Invalid messages per minute the peer may keep up after that burst. Default 6. */
  maxInvalidPerMinute: number;
  /** After `close()`, how long to wait for the peer's close frame before `terminate()`. Default 5 s. */
  closeTimeoutMs: number;
}

/** The defaults of {@link ChannelLimits}, for a unit's connection on either side. */
export const DEFAULT_CHANNEL_LIMITS: Readonly<ChannelLimits> = Object.freeze({
  maxFrameBytes: 1024 * 1024,
  maxQueuedMessages: 256,
  maxQueuedBytes: 4 * 1024 * 1024,
  ackTimeoutMs: 10_000,
  maxAckRetries: 3,
  responseTimeoutMs: 60_000,
  maxNackRetries: 3,
  maxRetryAfterMs: 60_000,
  pingIntervalMs: 20_000,
  maxIncomingPerSecond: 50,
  maxIncomingBurst: 200,
  maxInvalidBurst: 10,
  maxInvalidPerMinute: 6,
  closeTimeoutMs: 5_000,
});

/** WebSocket close codes the channel uses (RFC 6455 §7.4.1). */
export const CLOSE_CODES = Object.freeze({
  /** Normal closure (`close()` without a code). */
  normal: 1000,
  /** The peer broke a rule: too many messages, too many invalid ones, or it does not read (send queue full). */
  policyViolation: 1008,
  /** A frame over `maxFrameBytes`. */
  messageTooBig: 1009,
});
