import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '@openaos/db';
import { waitFor } from '../testing/wait-for.js';
import {
  createPostgresUnitEvents,
  decodeUnitEvent,
  encodeUnitEvent,
  MAX_NOTIFY_PAYLOAD_BYTES,
} from './postgres-unit-events.js';
import type { UnitEvent, UnitEvents } from './unit-events.js';

describe('PostgreSQL unit events (LISTEN/NOTIFY)', () => {
  let database: ThrowawayDatabase;
  let first: UnitEvents;
  let second: UnitEvents;
  beforeAll(async () => {
    database = await createThrowawayDatabase('postgres');
    first = await createPostgresUnitEvents(database.location);
    second = await createPostgresUnitEvents(database.location);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await database?.close();
  });

  it('splits a large announcement below the NOTIFY limit and reads it back whole', () => {
    const unitIds = Array.from({ length: 1000 }, () => randomUUID());
    const payloads = encodeUnitEvent({ kind: 'desired-changed', unitIds });
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(MAX_NOTIFY_PAYLOAD_BYTES);
    expect(payloads.flatMap((payload) => decodeUnitEvent(payload)?.unitIds ?? [])).toEqual(unitIds);
    expect(decodeUnitEvent('{"kind":"nonsense","unitIds":["a"]}')).toBeUndefined();
    // A catalogue change names services and no unit; an event naming neither is not one.
    const catalogue = { kind: 'catalogue-changed' as const, unitIds: [], serviceIds: [randomUUID()] };
    expect(encodeUnitEvent(catalogue).map((payload) => decodeUnitEvent(payload))).toEqual([catalogue]);
    expect(encodeUnitEvent({ kind: 'desired-changed', unitIds: [] })).toEqual([]);
    expect(decodeUnitEvent('{"kind":"status-changed","unitIds":[]}')).toBeUndefined();
    expect(decodeUnitEvent('not json')).toBeUndefined();
  });

  it('delivers an announcement made through one connection to the listeners of both', async () => {
    const heardByFirst: UnitEvent[] = [];
    const heardBySecond: UnitEvent[] = [];
    const stopFirst = first.subscribe((event) => heardByFirst.push(event));
    const stopSecond = second.subscribe((event) => heardBySecond.push(event));
    const unitIds = Array.from({ length: 600 }, () => randomUUID());
    await first.announce({ kind: 'revoked', unitIds });
    const collected = (heard: UnitEvent[]) => heard.flatMap((event) => event.unitIds);
    await waitFor(() => collected(heardBySecond).length === unitIds.length, 'the second process hearing every id');
    await waitFor(() => collected(heardByFirst).length === unitIds.length, 'the first hearing its own announcement');
    expect(collected(heardBySecond)).toEqual(unitIds);
    expect(new Set(heardBySecond.map((event) => event.kind))).toEqual(new Set(['revoked']));
    stopFirst();
    stopSecond();
  });
});
