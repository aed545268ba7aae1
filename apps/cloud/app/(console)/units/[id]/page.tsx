'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { DataTable } from '../../../../src/client/data-table';
import { useAction, useLoad } from '../../../../src/client/hooks';
import { useLiveRefresh } from '../../../../src/client/live';
import { api } from '../../../../src/client/trpc';
import { AlertsPanel } from '../../../../src/client/alerts-panel';
import { ConnectionText, ProvisionButton, RevokeButton } from '../../../../src/client/unit-actions';
import { Empty, Problem, StateBadge, formatTime } from '../../../../src/client/ui';
import { UnitMonitoring } from '../../../../src/client/monitoring-charts';
import { UnitLogs } from '../../../../src/client/unit-logs';

type ErrorInfo = { message?: string; exitCode?: number; aosCode?: number } | null;

function Reason({ errorInfo }: { errorInfo: ErrorInfo }) {
  if (!errorInfo) return null;
  const codes = [
    errorInfo.exitCode !== undefined ? `exit code ${errorInfo.exitCode}` : null,
    errorInfo.aosCode !== undefined ? `Aos code ${errorInfo.aosCode}` : null,
  ].filter(Boolean);
  return (
    <div className="field-error" data-testid="reason">
      {errorInfo.message ?? 'failed'}
      {codes.length > 0 ? ` (${codes.join(', ')})` : ''}
    </div>
  );
}

function ServiceName({ id, title }: { id: string; title: string | null }) {
  return title ? <Link href={`/services/${id}`}>{title}</Link> : <code>{id}</code>;
}

/** Names of the services and subjects a unit reports, to show its history by name. */
interface ReportedNames {
  titles: Map<string, string>;
  subjects: Map<string, string>;
}

function reportedNames(status: {
  items: { serviceId: string; title?: string | null }[];
  instances: { serviceId: string; title?: string | null; subjectId: string; subjectName?: string | null }[];
}): ReportedNames {
  const titles = new Map<string, string>();
  const subjects = new Map<string, string>();
  for (const entry of [...status.items, ...status.instances]) if (entry.title) titles.set(entry.serviceId, entry.title);
  for (const instance of status.instances)
    if (instance.subjectName) subjects.set(instance.subjectId, instance.subjectName);
  return { titles, subjects };
}

/**
 * What a history row is about, by name where the unit's report gives one: `service@version` for
 * an item, `service/subject/instance` for an instance (the IDs stay in the tooltip).
 */
function EventSubject({
  event,
  names,
}: {
  event: { kind: string; subject: string; version?: string | null };
  names: ReportedNames;
}) {
  if (!event.subject) return <>{event.version ? event.version : '—'}</>;
  const instance = /^([^/]+)\/([^/]+)\/(\d+)$/.exec(event.subject);
  const item = /^([^@]+)@(.+)$/.exec(event.subject);
  let text = event.subject;
  if (event.kind === 'instance' && instance) {
    const [, serviceId = '', subjectId = '', index = ''] = instance;
    text = `${names.titles.get(serviceId) ?? serviceId} · ${names.subjects.get(subjectId) ?? subjectId} #${index}`;
  } else if (event.kind === 'item' && item) {
    const [, serviceId = '', version = ''] = item;
    text = `${names.titles.get(serviceId) ?? serviceId} ${version}`;
  }
  const showVersion = event.version && !(event.kind === 'item' && item);
  return (
    <span title={event.subject}>
      {text}
      {showVersion ? ` ${event.version}` : ''}
    </span>
  );
}

export default function UnitPage() {
  const { id } = useParams<{ id: string }>();
  const { data: status, problem, reload } = useLoad(() => api.units.status.query({ unit: id }), [id]);
  useLiveRefresh(reload, { kinds: ['status-changed', 'desired-changed', 'revoked'], unitId: status?.unit.id ?? id });
  const action = useAction();
  if (problem && !status) return <Problem problem={problem} />;
  if (!status) return <p className="loading">Loading…</p>;
  const { unit, desired } = status;
  const isStale = unit.connection === 'offline' && (status.items.length > 0 || status.instances.length > 0);
  const names = reportedNames(status);
  return (
    <>
      <h1>
        Unit <code>{unit.systemId}</code>
      </h1>
      <Problem problem={problem ?? action.problem} />
      <dl className="facts">
        <dt>Model</dt>
        <dd>{unit.model}</dd>
        <dt>State</dt>
        <dd>
          <span>
            {unit.revokedAt ? (
              <>
                <StateBadge state="revoked" /> since {formatTime(unit.revokedAt)}; provision it again to bring it back
              </>
            ) : (
              <StateBadge state={unit.state} />
            )}
            {unit.provisionedAt ? <span className="muted"> (provisioned {formatTime(unit.provisionedAt)})</span> : null}
          </span>
        </dd>
        <dt>Connection</dt>
        <dd data-testid="connection">
          <span>
            <ConnectionText unit={unit} />
          </span>
        </dd>
        <dt>Desired status</dt>
        <dd data-testid="desired">
          {desired
            ? `generation ${desired.generation}, issued ${formatTime(desired.issuedAt)}: ${
                desired.items.map((item) => `${item.title ?? item.serviceId} ${item.version}`).join(', ') ||
                'no services'
              }`
            : 'nothing issued yet'}
        </dd>
      </dl>
      <p className="actions">
        <ProvisionButton unit={unit} />{' '}
        {unit.state === 'provisioned' && !unit.revokedAt ? (
          <RevokeButton unit={unit} action={action} onDone={() => void reload()} />
        ) : null}
      </p>
      {isStale ? <p className="muted">The unit is offline: below is what it last reported.</p> : null}
      <h2>Services</h2>
      {status.items.length === 0 ? (
        <Empty title="Nothing reported.">The unit reports its services once it is provisioned and connected.</Empty>
      ) : (
        <DataTable headers={['Service', 'Version', 'State', 'Reported']} testId="items">
          {status.items.map((item) => (
            <tr key={`${item.serviceId}@${item.version}`}>
              <td>
                <ServiceName id={item.serviceId} title={item.title} />
              </td>
              <td>{item.version}</td>
              <td>
                <StateBadge state={item.state} />
                <Reason errorInfo={item.errorInfo} />
              </td>
              <td>{formatTime(item.reportedAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <h2>Instances</h2>
      {status.instances.length === 0 ? (
        <Empty title="No instances reported.">Bind a service to a subject that binds this unit to run it here.</Empty>
      ) : (
        <DataTable headers={['Service', 'Subject', 'Instance', 'Version', 'State', 'Reported']} testId="instances">
          {status.instances.map((instance) => (
            <tr key={`${instance.serviceId}/${instance.subjectId}/${instance.instance}`}>
              <td>
                <ServiceName id={instance.serviceId} title={instance.title} />
              </td>
              <td>{instance.subjectName ?? <code>{instance.subjectId}</code>}</td>
              <td>{instance.instance}</td>
              <td>{instance.version}</td>
              <td>
                <StateBadge state={instance.state} />
                <Reason errorInfo={instance.errorInfo} />
              </td>
              <td>{formatTime(instance.reportedAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <h2>Monitoring</h2>
      <UnitMonitoring unit={id} />
      <UnitLogs systemId={unit.systemId} instances={status.instances} />
      <h2>Recent history</h2>
      {status.recentEvents.length === 0 ? (
        <p className="muted">No history yet.</p>
      ) : (
        <DataTable headers={['When', 'Kind', 'What', 'State']} testId="history">
          {status.recentEvents.map((event) => (
            <tr key={event.id}>
              <td>{formatTime(event.at)}</td>
              <td>{event.kind}</td>
              <td>
                <EventSubject event={event} names={names} />
              </td>
              <td>
                <StateBadge state={event.state} />
                <Reason errorInfo={event.errorInfo} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <AlertsPanel unitId={unit.id} />
    </>
  );
}
