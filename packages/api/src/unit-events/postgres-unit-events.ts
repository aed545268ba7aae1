import pg from 'pg';
import {
  UNIT_EVENT_KINDS,
  type UnitEvent,
  type UnitEventKind,
  type UnitEventListener,
  type UnitEvents,
} from './unit-events.js';

/** The PostgreSQL channel every cloud process listens on. */
export const UNIT_EVENTS_CHANNEL = 'openaos_units';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more: announcements are split below this. */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7900;
const KINDS: readonly UnitEventKind[] = UNIT_EVENT_KINDS;

export interface PostgresUnitEventsOptions {
  /** Problems (a lost connection, a malformed payload, a listener that threw). Default: console.error. */
  onError?: (error: unknown) => void;
  /** First reconnect delay after the listening connection is lost (doubles up to 30 s). Default 500 ms. */
  reconnectDelayMs?: number;
}

/** Split an announcement into NOTIFY payloads `{"kind":…,"unitIds":[…]}` each under the limit. */
export function encodeUnitEvent(event: UnitEvent, maxBytes = MAX_NOTIFY_PAYLOAD_BYTES): string[] {
  const payloads: string[] = [];
  let ids: string[] = [];
  // serviceIds (a handful) go with every part.
  const services = event.serviceIds ? { serviceIds: [...new Set(event.serviceIds)] } : {};
  const encode = (list: string[]) => JSON.stringify({ kind: event.kind, unitIds: list, ...services });
  for (const id of new Set(event.unitIds)) {
    if (Buffer.byteLength(encode([...ids, id])) > maxBytes && ids.length > 0) {
      payloads.push(encode(ids));
      ids = [];
    }
    ids.push(id);
  }
  if (ids.length > 0 || (ids.length === 0 && payloads.length === 0 && (event.serviceIds?.length ?? 0) > 0))
    payloads.push(encode(ids));
  return payloads;
}

/** A NOTIFY payload back into an event, or undefined when it is not one. */
export function decodeUnitEvent(payload: string | undefined): UnitEvent | undefined {
  try {
    const value = JSON.parse(payload ?? '') as { kind?: unknown; unitIds?: unknown; serviceIds?: unknown };
    if (!KINDS.includes(value.kind as UnitEventKind) || !Array.isArray(value.unitIds)) return undefined;
    const unitIds = value.unitIds.filter((id): id is string => typeof id === 'string');
    const serviceIds = Array.isArray(value.serviceIds)
      ? { serviceIds: value.serviceIds.filter((id): id is string => typeof id === 'string') }
      : {};
    const isNamed = unitIds.length > 0 || (serviceIds.serviceIds?.length ?? 0) > 0;
    return isNamed ? { kind: value.kind as UnitEventKind, unitIds, ...serviceIds } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * UnitEvents over PostgreSQL LISTEN/NOTIFY on {@link UNIT_EVENTS_CHANNEL}: an announcement made by
 * any cloud process on the database reaches the listeners of every one (this one included). One
 * dedicated connection listens and notifies; when it is lost it is reopened with backoff (what was
 * announced meanwhile is lost, and repaired when the units next connect — the database is the
 * truth). `announce` rejects when the notification cannot be sent.
 */
export async function createPostgresUnitEvents(
  connectionString: string,
  options: PostgresUnitEventsOptions = {},
): Promise<UnitEvents> {
  const onError = options.onError ?? ((error: unknown) => console.error('unit events:', error));
  const listeners = new Set<UnitEventListener>();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let isClosed = false;
  let delay = options.reconnectDelayMs ?? 500;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const deliver = (event: UnitEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        onError(error);
      }
    }
  };

  const connect = async (): Promise<pg.Client> => {
    const next = new pg.Client({ connectionString });
    next.on('notification', (message) => {
      if (message.channel !== UNIT_EVENTS_CHANNEL) return;
      const event = decodeUnitEvent(message.payload);
      if (event) setImmediate(deliver, event);
      else onError(new Error(`unit events: ignored a malformed notification ${JSON.stringify(message.payload)}`));
    });
    next.on('error', (error) => {
      onError(error);
      lose(next);
    });
    next.on('end', () => lose(next));
    await next.connect();
    await next.query(`LISTEN ${UNIT_EVENTS_CHANNEL}`);
    delay = options.reconnectDelayMs ?? 500;
    client = next;
    return next;
  };

  const lose = (lost: pg.Client) => {
    if (client !== lost) return;
    client = undefined;
    void lost.end().catch(() => undefined);
    if (isClosed) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      ensureClient().catch((error: unknown) => onError(error));
    }, delay);
    delay = Math.min(delay * 2, 30_000);
  };

  const ensureClient = (): Promise<pg.Client> => {
    if (client) return Promise.resolve(client);
    connecting ??= connect().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  await ensureClient();
  return {
    async announce(event) {
      if (isClosed) return;
      const connection = await ensureClient();
      for (const payload of encodeUnitEvent(event)) {
        await connection.query('SELECT pg_notify($1, $2)', [UNIT_EVENTS_CHANNEL, payload]);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      isClosed = true;
      clearTimeout(reconnectTimer);
      listeners.clear();
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
