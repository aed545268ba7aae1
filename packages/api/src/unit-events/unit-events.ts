/**
 * Announcements about units that every cloud process must hear, whichever process made the
 * change: the unit channel's fan-out (docs/unit-channel.md "Pushed").
 *
 * - `desired-changed`: something that feeds these units' desired status changed (a version became
 *   ready or approved or was deleted, a binding, unit-set membership, the verification flag);
 *   the process holding a unit's socket recomputes its desired status and sends it if it differs.
 * - `status-changed`: what the cloud knows of these units changed (reported status, connection);
 *   live views (console, CLI watches) refresh.
 * - `revoked`: these units were revoked, deprovisioned or deleted; whoever holds their sockets
 *   closes them with a reason.
 *
 * The database stays the truth: an announcement only says "look again". A lost one is repaired
 * when the unit next connects.
 */
export const UNIT_EVENT_KINDS = [
  'desired-changed',
  'status-changed',
  'revoked',
  /** `alerts-changed`: these units sent alerts (recorded); `serviceIds` names the services they concern. */
  'alerts-changed',
  /** `state-changed`: an instance state of these units changed (accepted from the unit, or set in the cloud). */
  'state-changed',
  /**
   * `catalogue-changed`: these services changed in the catalogue (created, changed, deleted; a
   * version uploaded, built, failed, approved or deleted). Names no unit: `unitIds` is empty.
   */
  'catalogue-changed',
] as const;
/** One kind per line above: adding one is one line (the live console forwards every kind, scoped). */
export type UnitEventKind = (typeof UNIT_EVENT_KINDS)[number];

export interface UnitEvent {
  kind: UnitEventKind;
  /** Unit ids (units.id); empty only when the event names services (`serviceIds`) instead. */
  unitIds: string[];
  /** The services the event concerns, when it concerns some (an SP user's live views hear only their own). */
  serviceIds?: string[];
}

export type UnitEventListener = (event: UnitEvent) => void;

export interface UnitEvents {
  /** Tell every process (this one included). Resolves once sent; never rejects for a listener's fault. */
  announce(event: UnitEvent): Promise<void>;
  /** Hear every announcement; returns the unsubscribe function. Listeners must not throw. */
  subscribe(listener: UnitEventListener): () => void;
  close(): Promise<void>;
}

/**
 * The bus of a single process (PGlite: only one process can open the database). Listeners run
 * on a later tick so an announcing mutation never waits for, or fails because of, a listener.
 */
export function createLocalUnitEvents(options: { onListenerError?: (error: unknown) => void } = {}): UnitEvents {
  const listeners = new Set<UnitEventListener>();
  const deliver = (event: UnitEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        options.onListenerError?.(error);
      }
    }
  };
  return {
    announce(event) {
      if (event.unitIds.length > 0 || (event.serviceIds?.length ?? 0) > 0)
        setImmediate(deliver, {
          kind: event.kind,
          unitIds: [...new Set(event.unitIds)],
          ...(event.serviceIds ? { serviceIds: [...new Set(event.serviceIds)] } : {}),
        });
      return Promise.resolve();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      return Promise.resolve();
    },
  };
}
