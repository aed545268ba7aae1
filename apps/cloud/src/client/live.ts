'use client';
import { useEffect, useRef } from 'react';
import { LIVE_EVENTS_PATH } from '../live-path';

/** A change the cloud announced (see @openaos/api live-events): look again at these units and services. */
export interface LiveChange {
  kind: string;
  unitIds: string[];
  serviceIds: string[];
}

/** Which changes a view depends on; every field left out matches anything. */
export interface LiveMatch {
  kinds?: readonly string[];
  unitId?: string | undefined;
  serviceId?: string | undefined;
}

type Listener = (change: LiveChange | 'reconnected') => void;

// One EventSource per page, shared by every view on it, opened while one listens.
const listeners = new Set<Listener>();
let source: EventSource | undefined;

function connect(): void {
  if (source || typeof EventSource === 'undefined') return;
  const opened = new EventSource(LIVE_EVENTS_PATH);
  let isFirst = true;
  // `ready` comes first on every (re)connection: after the first, changes may have been missed.
  opened.addEventListener('ready', () => {
    if (!isFirst) for (const listener of [...listeners]) listener('reconnected');
    isFirst = false;
  });
  opened.addEventListener('change', (event) => {
    let change: LiveChange;
    try {
      change = JSON.parse((event as MessageEvent<string>).data) as LiveChange;
    } catch {
      return;
    }
    for (const listener of [...listeners]) listener(change);
  });
  opened.addEventListener('signed-out', () => {
    opened.close();
    source = undefined;
  });
  source = opened;
}

function listen(listener: Listener): () => void {
  listeners.add(listener);
  connect();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      source?.close();
      source = undefined;
    }
  };
}

export function matchesChange(change: LiveChange, match: LiveMatch): boolean {
  if (match.kinds && !match.kinds.includes(change.kind)) return false;
  if (match.unitId && !change.unitIds.includes(match.unitId)) return false;
  if (match.serviceId && !change.serviceIds.includes(match.serviceId)) return false;
  return true;
}

/**
 * Live views: call `refresh` when the cloud announces a change the view depends on (server-sent
 * events on the one port, scoped by the server to what the user may see), and after the stream
 * reconnects (changes may have been missed). Refreshes never overlap: a change that comes during
 * one runs it once more after it.
 */
export function useLiveRefresh(refresh: () => Promise<unknown>, match: LiveMatch = {}): void {
  const latest = useRef({ refresh, match });
  latest.current = { refresh, match };
  useEffect(() => {
    let isRunning = false;
    let isDirty = false;
    const run = () => {
      if (isRunning) {
        isDirty = true;
        return;
      }
      isRunning = true;
      void latest.current
        .refresh()
        .catch(() => undefined)
        .finally(() => {
          isRunning = false;
          if (isDirty) {
            isDirty = false;
            run();
          }
        });
    };
    return listen((change) => {
      if (change === 'reconnected' || matchesChange(change, latest.current.match)) run();
    });
  }, []);
}
