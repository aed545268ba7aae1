'use client';
import { useParams } from 'next/navigation';
import { UnitMonitoring } from '../../../../src/client/monitoring-charts';

export default function UnitMonitoringPage() {
  const { unit } = useParams<{ unit: string }>();
  const systemId = decodeURIComponent(unit);
  return (
    <>
      <h1>
        Monitoring of unit <code>{systemId}</code>
      </h1>
      <UnitMonitoring unit={systemId} />
    </>
  );
}
