/**
 * Messages between cloud processes for the log relay, over PostgreSQL LISTEN/NOTIFY: each process
 * listens on its own channel (`openaos_logs_<process id>`), a message is JSON sent to the channel
 * of the process it is for.
 *
 * NOTIFY refuses payloads of 8000 bytes or more, so a message is cut into pieces
 * (`<message id> <index> <count> <base64 slice>`), sent in one transaction (delivered together and
 * in order), and put back together by the receiver. Messages one process sends to another arrive
 * in the order they were sent (one connection sends them, one at a time).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** Base64 characters per NOTIFY payload: with the header, well under PostgreSQL's 8000 bytes. */
export const RELAY_PIECE_CHARS = 7600;

export interface RelayTransport {
  /** Send a message to a process's channel. */
  send(processId: string, message: unknown): Promise<void>;
  /** Messages for this process, in the order each sender sent them. */
  onMessage(listener: (message: unknown) => void): void;
  close(): Promise<void>;
}

export function relayChannelOf(processId: string): string {
  return `openaos_logs_${processId.replaceAll('-', '')}`;
}

/** A message's NOTIFY payloads. */
export function encodeRelayMessage(message: unknown, pieceChars = RELAY_PIECE_CHARS): string[] {
  const body = Buffer.from(JSON.stringify(message)).toString('base64');
  const id = randomUUID();
  const count = Math.max(1, Math.ceil(body.length / pieceChars));
  return Array.from(
    { length: count },
    (_unused, index) => `${id} ${index} ${count} ${body.slice(index * pieceChars, (index + 1) * pieceChars)}`,
  );
}

/** Puts pieces back together; returns a message when its last piece came. */
export class RelayAssembler {
  private readonly partial = new Map<string, string[]>();

  accept(payload: string): unknown {
    const [id = '', indexText = '', countText = '', piece = ''] = payload.split(' ');
    const index = Number(indexText);
    const count = Number(countText);
    if (!id || !Number.isInteger(index) || !Number.isInteger(count) || index < 0 || index >= count)
      throw new Error(`log relay: ignored a malformed notification ${JSON.stringify(payload.slice(0, 80))}`);
    const pieces = this.partial.get(id) ?? [];
    if (pieces.length !== index) {
      this.partial.delete(id);
      throw new Error(`log relay: piece ${index} of message ${id} came after ${pieces.length} pieces`);
    }
    pieces.push(piece);
    if (pieces.length < count) {
      this.partial.set(id, pieces);
      return undefined;
    }
    this.partial.delete(id);
    return JSON.parse(Buffer.from(pieces.join(''), 'base64').toString('utf8')) as unknown;
  }
}

/**
 * The transport of process `processId` on the PostgreSQL at `connectionString`: one connection
 * that listens and sends. A lost connection is reopened (with backoff); messages sent meanwhile
 * fail, and what was in flight is lost: the relay's users time out and the viewer reconnects.
 */
export async function createPostgresRelayTransport(
  connectionString: string,
  processId: string,
  onError: (error: unknown) => void = (error) => console.error('log relay:', error),
): Promise<RelayTransport> {
  const channel = relayChannelOf(processId);
  const listeners: ((message: unknown) => void)[] = [];
  let client: pg.Client | undefined;
  let isClosed = false;
  let delay = 500;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString });
    const assembler = new RelayAssembler();
    next.on('notification', (notification) => {
      if (notification.channel !== channel || notification.payload === undefined) return;
      try {
        const message = assembler.accept(notification.payload);
        if (message !== undefined) for (const listener of listeners) listener(message);
      } catch (error) {
        onError(error);
      }
    });
    const lose = () => {
      if (client !== next) return;
      client = undefined;
      void next.end().catch(() => undefined);
      if (isClosed) return;
      timer = setTimeout(() => {
        connect().catch((error: unknown) => {
          onError(error);
          lose();
        });
      }, delay);
      delay = Math.min(delay * 2, 30_000);
    };
    next.on('error', (error) => {
      onError(error);
      lose();
    });
    next.on('end', lose);
    client = next;
    await next.connect();
    await next.query(`LISTEN ${channel}`);
    delay = 500;
  };
  await connect();
  // One query at a time on the connection, in the order `send` was called.
  let sending: Promise<unknown> = Promise.resolve();

  return {
    send(to, message) {
      const payloads = encodeRelayMessage(message);
      const sent = sending.then(async () => {
        if (!client) throw new Error('log relay: the database connection is being reopened');
        await client.query(
          'SELECT pg_notify($1, piece) FROM unnest($2::text[]) WITH ORDINALITY AS pieces(piece, n) ORDER BY n',
          [relayChannelOf(to), payloads],
        );
      });
      sending = sent.catch(() => undefined);
      return sent;
    },
    onMessage(listener) {
      listeners.push(listener);
    },
    async close() {
      isClosed = true;
      clearTimeout(timer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
