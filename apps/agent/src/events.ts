/**
 * What the agent tells others as it happens: the seam for the cloud link (and tests, benches).
 * A subscriber hears each new unitStatus (full, and the delta against the previous one), each
 * quota alert, and each finished monitoring poll (its data waits in the monitor's buffer for
 * `Agent.takeMonitoringData()`, which the link drains every send period, as AosEdge's CM does).
 *
 * Invariant: a subscriber cannot break the agent. Handlers run synchronously in subscription
 * order; one that throws is logged and the others still run.
 */
import type { AlertItem } from './formats/monitoring.js';
import type { UnitStatus } from './formats/unit-status.js';

export interface AgentSubscriber {
  /**
   * A unitStatus that differs from the previous one. `delta` has `isDeltaInfo: true` and only
   * the service and instance items that are new or changed; an item that went away shows only
   * in `full` (send the full status after each desired status, as AosEdge does).
   */
  onStatus?(full: UnitStatus, delta: UnitStatus): void;
  /** A quota alert (raise, continue or fall), as the monitor raised it. */
  onAlert?(alert: AlertItem): void;
  /** A monitoring poll finished; its items are buffered for `takeMonitoringData()`. */
  onMonitoringSample?(): void;
}

type Event = { [K in keyof AgentSubscriber]-?: Parameters<NonNullable<AgentSubscriber[K]>> };

export class AgentEvents {
  private readonly subscribers = new Set<AgentSubscriber>();

  constructor(private readonly log: (message: string) => void) {}

  /** Subscribe; returns the function that unsubscribes. */
  subscribe(subscriber: AgentSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  emit<K extends keyof Event>(kind: K, ...args: Event[K]): void {
    for (const subscriber of [...this.subscribers]) {
      const handler = subscriber[kind] as ((...values: Event[K]) => void) | undefined;
      try {
        handler?.apply(subscriber, args);
      } catch (error) {
        this.log(`a subscriber's ${kind} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

function keyOfService(item: UnitStatus['services'][number]): string {
  return `${item.id}@${item.version}`;
}

function keyOfInstance(item: UnitStatus['instances'][number]): string {
  return `${item.serviceId}/${item.subjectId}/${item.instance}`;
}

/** The items of `next` that are new or changed since `previous` (all of them when there is none). Pure. */
export function computeStatusDelta(previous: UnitStatus | undefined, next: UnitStatus): UnitStatus {
  const changed = <T>(items: T[], before: T[] | undefined, key: (item: T) => string): T[] => {
    const old = new Map((before ?? []).map((item) => [key(item), JSON.stringify(item)]));
    return items.filter((item) => old.get(key(item)) !== JSON.stringify(item));
  };
  return {
    ...next,
    isDeltaInfo: true,
    nodes: changed(next.nodes, previous?.nodes, (node) => node.id),
    services: changed(next.services, previous?.services, keyOfService),
    instances: changed(next.instances, previous?.instances, keyOfInstance),
  };
}
