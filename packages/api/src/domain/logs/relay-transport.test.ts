import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '@openaos/db';
import { waitFor } from '../../testing/wait-for.js';
import {
  createPostgresRelayTransport,
  encodeRelayMessage,
  RelayAssembler,
  relayChannelOf,
  type RelayTransport,
} from './relay-transport.js';

describe('the log relay’s transport (PostgreSQL LISTEN/NOTIFY)', () => {
  let database: ThrowawayDatabase;
  const processA = randomUUID();
  const processB = randomUUID();
  let a: RelayTransport;
  let b: RelayTransport;
  beforeAll(async () => {
    database = await createThrowawayDatabase('postgres');
    a = await createPostgresRelayTransport(database.location, processA);
    b = await createPostgresRelayTransport(database.location, processB);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
  });

  it('cuts a message into pieces under NOTIFY’s 8000 bytes and puts it back together', () => {
    const message = { text: 'é'.repeat(20_000), n: 1 };
    const pieces = encodeRelayMessage(message);
    expect(pieces.length).toBeGreaterThan(4);
    for (const piece of pieces) expect(Buffer.byteLength(piece)).toBeLessThan(8000);
    const assembler = new RelayAssembler();
    const results = pieces.map((piece) => assembler.accept(piece));
    expect(results.slice(0, -1).every((result) => result === undefined)).toBe(true);
    expect(results.at(-1)).toEqual(message);
    // A piece out of order is an error, not a wrong message.
    const [first, second] = encodeRelayMessage(message);
    expect(() => new RelayAssembler().accept(second!)).toThrow(/piece 1 of message/);
    expect(() => new RelayAssembler().accept('nonsense')).toThrow(/malformed/);
    expect(first).toBeDefined();
    expect(relayChannelOf(processA)).toMatch(/^openaos_logs_[0-9a-f]{32}$/);
  });

  it('delivers messages, small and large, to the process they are for, in the order sent', async () => {
    const heardByA: unknown[] = [];
    const heardByB: unknown[] = [];
    a.onMessage((message) => heardByA.push(message));
    b.onMessage((message) => heardByB.push(message));
    const sent = Array.from({ length: 20 }, (_unused, index) => ({
      index,
      text: index % 5 === 0 ? 'x'.repeat(50_000) : `small ${index}`,
    }));
    await Promise.all(sent.map((message) => a.send(processB, message)));
    await waitFor(() => heardByB.length === sent.length, 'every message at B');
    expect(heardByB).toEqual(sent);
    expect(heardByA).toEqual([]);
  });
});
