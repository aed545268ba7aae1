import { ProtocolError } from '../errors.js';
import type { ChannelLimits } from './channel-limits.js';
import type { MessageOf } from './catalog.js';

/*
 * What a channel holds for its peer: messages sent and not yet acknowledged (kept to be sent
 * again), and acks/nacks not yet written. Invariants: every frame is counted from admission until
 * its ack (or refusal, timeout, close) or until the socket has taken it, and released once; the
 * counts never pass the limits, because admission fails first and the channel then closes.
 */

interface PendingSend {
  txn: string;
  messageType: string;
  frame: Buffer;
  ackTimeoutMs: number;
  /** Resends after plain nacks. */
  nackRetries: number;
  /** Resends after ack timeouts. */
  ackRetries: number;
  timer: NodeJS.Timeout | undefined;
  /** Called once: without an error when acknowledged. */
  settle: (error?: ProtocolError) => void;
}

export interface OutboxOptions {
  limits: ChannelLimits;
  /** "unit X" or "the cloud", for messages. */
  peer: string;
  /** Hand a frame to the socket; `onWritten` once the socket has taken it. */
  write: (frame: Buffer, onWritten?: () => void) => void;
  /** Whether the connection still takes frames. */
  isOpen: () => boolean;
  /** Admission failed: the peer lets too much pile up. The channel closes the connection. */
  overflow: (error: ProtocolError) => void;
}

export class Outbox {
  private readonly pending = new Map<string, PendingSend>();
  private messages = 0;
  private bytes = 0;

  constructor(private readonly options: OutboxOptions) {}

  get queuedMessages(): number {
    return this.messages;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  /**
   * Write a frame the peer must ack and call `settle` once with the outcome. False (and `settle`
   * is not called) when the frame does not fit: the overflow has closed the channel by then.
   */
  sendExpectingAck(
    frame: Buffer,
    message: { txn: string; messageType: string; ackTimeoutMs: number },
    settle: (error?: ProtocolError) => void,
  ): boolean {
    if (!this.admit(frame.length)) return false;
    const pending: PendingSend = { ...message, frame, nackRetries: 0, ackRetries: 0, timer: undefined, settle };
    this.pending.set(pending.txn, pending);
    this.options.write(frame);
    this.armAckTimer(pending);
    return true;
  }

  /** Write an ack or nack: counted until the socket has taken it, never acknowledged. */
  sendReply(frame: Buffer): void {
    if (!this.admit(frame.length)) return;
    this.options.write(frame, () => this.release(frame.length));
  }

  /** The peer acked `txn`. False when nothing waited for it. */
  acknowledge(txn: string): boolean {
    return this.settle(txn);
  }

  /**
   * The peer nacked `txn`: with `errorInfo` the send is refused; otherwise the same frame goes
   * again after `retryAfter` (capped), until `maxNackRetries`. False when nothing waited for it.
   */
  refuse(txn: string, nack: MessageOf<'nack'>): boolean {
    const pending = this.pending.get(txn);
    if (pending === undefined) return false;
    const { limits, peer } = this.options;
    const what = `sending ${pending.messageType} (txn ${txn}) to ${peer}`;
    const details = { txn, messageType: pending.messageType };
    if (nack.errorInfo !== undefined) {
      const refusal = `${nack.errorInfo.code}: ${nack.errorInfo.message}`;
      return this.settle(txn, new ProtocolError('refused', `${what}: refused (${refusal})`, details));
    }
    if (pending.nackRetries >= limits.maxNackRetries) {
      const message = `${what}: still nacked after ${pending.nackRetries} resends; the peer is busy, try again later`;
      return this.settle(txn, new ProtocolError('nacked', message, details));
    }
    pending.nackRetries += 1;
    clearTimeout(pending.timer);
    const delay = Math.min(Math.max(nack.retryAfter, 0), limits.maxRetryAfterMs);
    pending.timer = setTimeout(() => this.resend(pending), delay);
    return true;
  }

  /** Reject everything waiting for an ack with `error` (the connection is closing). */
  failAll(error: ProtocolError): void {
    for (const txn of [...this.pending.keys()]) this.settle(txn, error);
  }

  /** Wait for the ack; without one, send the same frame again (the receiver acks a resend and handles it once). */
  private armAckTimer(pending: PendingSend): void {
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => {
      if (pending.ackRetries < this.options.limits.maxAckRetries) {
        pending.ackRetries += 1;
        this.resend(pending);
        return;
      }
      const message = `sending ${pending.messageType} (txn ${pending.txn}) to ${this.options.peer}: no ack after ${pending.ackRetries + 1} sends ${pending.ackTimeoutMs} ms apart; the peer is slow or drops it`;
      this.settle(
        pending.txn,
        new ProtocolError('ack-timeout', message, { txn: pending.txn, messageType: pending.messageType }),
      );
    }, pending.ackTimeoutMs);
  }

  private resend(pending: PendingSend): void {
    if (!this.options.isOpen() || this.pending.get(pending.txn) !== pending) return;
    this.options.write(pending.frame);
    this.armAckTimer(pending);
  }

  private settle(txn: string, error?: ProtocolError): boolean {
    const pending = this.pending.get(txn);
    if (pending === undefined) return false;
    this.pending.delete(txn);
    clearTimeout(pending.timer);
    this.release(pending.frame.length);
    pending.settle(error);
    return true;
  }

  private admit(bytes: number): boolean {
    const { limits, peer } = this.options;
    const messages = this.messages + 1;
    const total = this.bytes + bytes;
    if (messages > limits.maxQueuedMessages || total > limits.maxQueuedBytes) {
      const message = `sending to ${peer}: ${messages} messages (${total} bytes) would wait for the peer, over the limit of ${limits.maxQueuedMessages} messages or ${limits.maxQueuedBytes} bytes; the peer is not reading, so the connection is closed (the unit reconnects and resynchronises)`;
      this.options.overflow(new ProtocolError('send-queue-full', message));
      return false;
    }
    this.messages = messages;
    this.bytes = total;
    return true;
  }

  private release(bytes: number): void {
    this.messages -= 1;
    this.bytes -= bytes;
  }
}
