'use client';
import { AlertsPanel } from '../../../src/client/alerts-panel';
import { useActor } from '../../../src/client/session';

/** Fleet-wide alerts: an OEM user's units, an SP user's services' instances. */
export default function AlertsPage() {
  const actor = useActor();
  return (
    <>
      <h1>Alerts</h1>
      <p className="muted">
        {actor.role === 'sp'
          ? 'Alerts of your services’ instances on every unit: quotas crossed, failures, devices.'
          : 'Alerts of your units: quotas crossed, failed instances, system and agent problems, downloads.'}{' '}
        An alert raised and not yet fallen is active. The list follows new alerts by itself.
      </p>
      <AlertsPanel title="Newest first" />
    </>
  );
}
