'use client';
import { DataTable } from './data-table';
import { useLoad } from './hooks';
import { useLiveRefresh } from './live';
import { api } from './trpc';
import { Problem, StateBadge } from './ui';

/**
 * Per version of a service: on how many units it is desired, installed, active (online units
 * only) and failed, plus desired on units that are offline. OEM users count their own units;
 * the owning SP and admins every unit. Refreshes by itself.
 */
export function ServiceRollout({ serviceId }: { serviceId: string }) {
  const { data, problem, reload } = useLoad(() => api.status.service.query({ serviceId }), [serviceId]);
  useLiveRefresh(reload, { kinds: ['status-changed', 'desired-changed'], serviceId });
  if (!data) return <Problem problem={problem} />;
  const isUsed = data.versions.some((version) => version.desired + version.installed + version.failed > 0);
  return (
    <section>
      <h2>On units</h2>
      <p className="muted">
        On how many {data.scope === 'organisation-units' ? 'of your ' : ''}units each version is desired, installed,
        active (on units online now) and failed; offline: desired on units not connected now.
      </p>
      <Problem problem={problem} />
      {isUsed ? (
        <DataTable
          headers={['Version', 'State', 'Desired', 'Installed', 'Active', 'Failed', 'Offline']}
          testId="rollout"
        >
          {data.versions.map((version) => (
            <tr key={version.version} data-version={version.version}>
              <td>{version.version}</td>
              <td>
                {version.state ? <StateBadge state={version.state} /> : <span className="muted">not in cloud</span>}
              </td>
              <td data-count="desired">{version.desired}</td>
              <td data-count="installed">{version.installed}</td>
              <td data-count="active">{version.active}</td>
              <td data-count="failed">{version.failed}</td>
              <td data-count="offline">{version.offline}</td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p className="muted" data-testid="rollout-empty">
          No unit{data.scope === 'organisation-units' ? ' of yours' : ''} has this service yet: bind it to a subject
          that binds units; verification units get the newest ready-or-approved version, the others the newest approved.
        </p>
      )}
    </section>
  );
}
