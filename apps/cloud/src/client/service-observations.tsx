'use client';
import { AlertsPanel } from './alerts-panel';
import { StatePanel } from './state-panel';

/** What units report of a service: its instances' alerts, and their state (state.dat). */
export function ServiceObservations({ serviceId, isOwner }: { serviceId: string; isOwner: boolean }) {
  return (
    <>
      <AlertsPanel serviceId={serviceId} title="Alerts of its instances" />
      <StatePanel serviceId={serviceId} canSet={isOwner} />
    </>
  );
}
