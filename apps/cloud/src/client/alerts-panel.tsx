'use client';
import { useCallback, useState } from 'react';
import type { AlertView } from '@openaos/api';
import { DataTable } from './data-table';
import { useLoad } from './hooks';
import { useLiveRefresh } from './live';
import { api } from './trpc';
import { Empty, Problem, StateBadge, formatBytes, formatTime } from './ui';

const KIND_LABELS: Record<string, string> = {
  'instance-quota': 'Instance quota',
  'system-quota': 'Unit quota',
  instance: 'Instance',
  system: 'System',
  core: 'Agent',
  device: 'Device',
  download: 'Download',
};
const PAGE_SIZE = 50;

/** What the alert says, for a person: the quota and its values, the message, or the download progress. */
function describe(alert: AlertView): string {
  if (alert.kind === 'instance-quota' || alert.kind === 'system-quota') {
    const isBytes = alert.parameter === 'ram' || alert.parameter === 'storage' || alert.parameter === 'state';
    const show = (value: number | null) => (isBytes ? formatBytes(value) : String(value ?? '—'));
    const peak = alert.peak !== null && alert.peak !== alert.value ? `, peak ${show(alert.peak)}` : '';
    return `${alert.parameter} at ${show(alert.value)}${peak}`;
  }
  if (alert.kind === 'download')
    return `${alert.parameter ?? ''}: ${formatBytes(alert.value)} of ${formatBytes(alert.peak)}${alert.message ? ` (${alert.message})` : ''}`;
  return alert.message ?? '';
}

function Where({ alert }: { alert: AlertView }) {
  const parts = [
    alert.unit ? alert.unit.systemId : null,
    alert.service
      ? `${alert.service.title ?? alert.service.id}${alert.instance !== null ? ` #${alert.instance}` : ''}`
      : null,
    !alert.service && alert.nodeId ? `node ${alert.nodeId}` : null,
  ].filter(Boolean);
  return <>{parts.join(' · ') || '—'}</>;
}

/**
 * Alerts, newest first, live: one unit's (`unitId`, OEM), one service's (`serviceId`), or the
 * fleet's (neither). Filters: kind and active only; "Older" pages back.
 */
export function AlertsPanel({
  unitId,
  serviceId,
  title = 'Alerts',
}: {
  unitId?: string;
  serviceId?: string;
  title?: string;
}) {
  const [kind, setKind] = useState('');
  const [isActiveOnly, setActiveOnly] = useState(false);
  const [pages, setPages] = useState(1);
  const load = useCallback(async () => {
    const alerts: AlertView[] = [];
    let cursor: string | undefined;
    let hasMore = false;
    for (let page = 0; page < pages; page++) {
      const result = await api.alerts.list.query({
        ...(unitId ? { unit: unitId } : {}),
        ...(serviceId ? { serviceId } : {}),
        ...(kind ? { kinds: [kind as AlertView['kind']] } : {}),
        ...(isActiveOnly ? { active: true } : {}),
        limit: PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
      });
      alerts.push(...result.alerts);
      cursor = result.nextCursor ?? undefined;
      hasMore = cursor !== undefined;
      if (!cursor) break;
    }
    return { alerts, hasMore };
  }, [unitId, serviceId, kind, isActiveOnly, pages]);
  const { data, problem, reload } = useLoad(load, [load]);
  useLiveRefresh(reload, { kinds: ['alerts-changed'], unitId, serviceId });
  return (
    <section data-testid="alerts">
      <h2>{title}</h2>
      <p className="filters">
        <label>
          Kind{' '}
          <select value={kind} onChange={(event) => setKind(event.target.value)} aria-label="Alert kind">
            <option value="">all</option>
            {Object.entries(KIND_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          <input type="checkbox" checked={isActiveOnly} onChange={(event) => setActiveOnly(event.target.checked)} />{' '}
          active only
        </label>
      </p>
      <Problem problem={problem} />
      {data && data.alerts.length === 0 ? (
        <Empty title="No alerts.">
          Units report quota thresholds crossed, failed instances, system problems and downloads here.
        </Empty>
      ) : null}
      {data && data.alerts.length > 0 ? (
        <DataTable headers={['Last', 'Kind', 'Where', 'What', 'State', 'Since']} testId="alert-list">
          {data.alerts.map((alert) => (
            <tr key={alert.id} data-alert-kind={alert.kind} data-active={alert.active ? 'true' : 'false'}>
              <td>{formatTime(alert.lastAt)}</td>
              <td>{KIND_LABELS[alert.kind] ?? alert.kind}</td>
              <td>
                <Where alert={alert} />
              </td>
              <td>{describe(alert)}</td>
              <td>
                {alert.active ? <StateBadge state="active" /> : alert.state ? <StateBadge state={alert.state} /> : null}
              </td>
              <td>
                {formatTime(alert.raisedAt)}
                {alert.fallenAt ? ` – ${formatTime(alert.fallenAt)}` : ''}
                {alert.events > 1 ? <span className="muted"> ({alert.events} events)</span> : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {data?.hasMore ? (
        <button type="button" onClick={() => setPages(pages + 1)}>
          Older
        </button>
      ) : null}
    </section>
  );
}
