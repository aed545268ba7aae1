import type { WebSocket } from 'ws';

export interface RawMessage {
  value: { header: { txn: string; systemId: string }; data: { messageType: string } & Record<string, unknown> };
  isBinary: boolean;
}

/**
 * The far end of a channel under test, driven by hand: it records every frame it receives and
 * sends whatever the test gives it, valid or not.
 */
export class RawPeer {
  readonly received: RawMessage[] = [];
  private waiters: { predicate: (message: RawMessage) => boolean; resolve: (message: RawMessage) => void }[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const message = { value: JSON.parse(String(data)) as RawMessage['value'], isBinary };
      this.received.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.predicate(message)) return true;
        waiter.resolve(message);
        return false;
      });
    });
  }

  /** The first message (already received or to come) that matches. */
  next(predicate: (message: RawMessage) => boolean): Promise<RawMessage> {
    const found = this.received.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  /** The first message of a type (optionally for a txn). */
  nextOfType(messageType: string, txn?: string): Promise<RawMessage> {
    return this.next(
      (message) =>
        message.value.data.messageType === messageType && (txn === undefined || message.value.header.txn === txn),
    );
  }

  send(value: unknown): void {
    this.socket.send(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value));
  }
}
