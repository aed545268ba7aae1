'use client';
import { FleetMonitoring } from '../../../src/client/monitoring-overview';

export default function MonitoringPage() {
  return (
    <>
      <h1>Monitoring</h1>
      <p className="muted">The fleet now; pick a consumer to see its unit&apos;s charts.</p>
      <FleetMonitoring />
    </>
  );
}
