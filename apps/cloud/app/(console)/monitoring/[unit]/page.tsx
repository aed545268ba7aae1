'use client';
import { useParams } from 'next/navigation';
import { UnitMonitoring } from '../../../../src/client/monitoring-charts';
import { useActor } from '../../../../src/client/session';

export default function UnitMonitoringPage() {
  const { unit } = useParams<{ unit: string }>();
  const systemId = decodeURIComponent(unit);
  // The OEM reads logs on the unit's page; an SP has no unit pages, so its instances' logs are here.
  const isSp = useActor().role === 'sp';
  return (
    <>
      <h1>
        Monitoring of unit <code>{systemId}</code>
      </h1>
      <UnitMonitoring unit={systemId} withLogs={isSp} />
    </>
  );
}
