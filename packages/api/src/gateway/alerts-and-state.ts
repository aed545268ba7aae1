/**
 * The unit channel's alerts and state messages for one connection (docs/alerts-and-state.md).
 * Invariants: a unit's alert batches are recorded one at a time, in the order received; states
 * set in the cloud are sent when the connection opens and whenever an announcement says this
 * unit's state changed, one delivery run at a time, and marked delivered only once acknowledged.
 * Nothing thrown here escapes into the channel: failures are logged.
 */
import type { CloudChannel } from '@openaos/protocol/v7';
import type { CloudDependencies } from '../dependencies.js';
import { recordAlerts } from '../domain/alerts/record-alerts.js';
import {
  acceptNewState,
  answerStateRequest,
  markStateDelivered,
  pendingStateUpdates,
} from '../domain/state/unit-state-messages.js';

export function attachAlertsAndState(
  channel: CloudChannel,
  unit: { id: string; systemId: string },
  deps: CloudDependencies,
  log: (message: string) => void,
): void {
  const fail = (doing: string) => (error: unknown) =>
    log(`unit ${unit.systemId}: ${doing}: ${error instanceof Error ? error.message : String(error)}`);
  let alertChain: Promise<void> = Promise.resolve();
  channel.on('alerts', (message) => {
    alertChain = alertChain
      .then(async () => {
        const recorded = await recordAlerts(deps, unit.id, message.items);
        if (recorded.changes > 0)
          await deps.unitEvents.announce({
            kind: 'alerts-changed',
            unitIds: [unit.id],
            serviceIds: recorded.serviceIds,
          });
      })
      .catch(fail('recording alerts'));
  });
  channel.on('newState', async (message) => {
    try {
      const { reply, accepted } = await acceptNewState(deps, unit.id, message);
      if (accepted)
        await deps.unitEvents.announce({ kind: 'state-changed', unitIds: [unit.id], serviceIds: [accepted.serviceId] });
      await channel.send(reply);
    } catch (error) {
      fail('taking a newState')(error);
    }
  });
  channel.on('stateRequest', async (request) => {
    try {
      const update = await answerStateRequest(deps, unit.id, request);
      if (update) await channel.send(update);
    } catch (error) {
      fail('answering a stateRequest')(error);
    }
  });

  let isDelivering = false;
  let isDirty = false;
  const deliver = async (): Promise<void> => {
    isDirty = true;
    if (isDelivering) return;
    isDelivering = true;
    try {
      while (isDirty && channel.stats().state === 'open') {
        isDirty = false;
        for (const pending of await pendingStateUpdates(deps, unit.id)) {
          await channel.send(pending.message);
          await markStateDelivered(deps, unit.id, pending.key, pending.checksum);
        }
      }
    } finally {
      isDelivering = false;
    }
  };
  const unsubscribe = deps.unitEvents.subscribe((event) => {
    if (event.kind === 'state-changed' && event.unitIds.includes(unit.id)) deliver().catch(fail('sending a state'));
  });
  void channel.closed.then(unsubscribe);
  deliver().catch(fail('sending a state'));
}
