'use client';
/**
 * The fleet overview (docs/monitoring.md "Console"): units online/offline (OEM), instances by
 * state, and the top consumers of RAM and CPU now, as pictures. A consumer's bar leads to the
 * unit's charts.
 */
import Link from 'next/link';
import { Bar, BarChart, Cell, Legend, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Consumer } from '@openaos/api';
import { MONITORING_REFRESH_MS, useLoad, usePolling } from './hooks';
import { formatBytes } from './monitoring-charts';
import styles from './monitoring.module.css';
import { api } from './trpc';
import { Empty, Problem } from './ui';

const STATE_COLORS: Record<string, string> = {
  active: '#16a34a',
  activating: '#2563eb',
  inactive: '#9ca3af',
  failed: '#dc2626',
};

function consumerName(consumer: Consumer): string {
  const what = consumer.title ?? consumer.serviceId ?? 'unit';
  return consumer.serviceId ? `${what} #${consumer.instance} @ ${consumer.systemId}` : consumer.systemId;
}

function ConsumerChart(props: {
  testId: string;
  title: string;
  consumers: Consumer[];
  metric: 'ram' | 'cpu';
  format: (value: number) => string;
}) {
  const rows = props.consumers.map((consumer) => ({ name: consumerName(consumer), value: consumer[props.metric] }));
  return (
    <figure className={styles.chart} data-testid={props.testId} data-points={rows.length}>
      <figcaption>{props.title}</figcaption>
      {rows.length === 0 ? (
        <p className="muted">Nothing reported in the last 15 minutes.</p>
      ) : (
        <ResponsiveContainer width="100%" height={40 + rows.length * 32}>
          <BarChart data={rows} layout="vertical" margin={{ left: 8, right: 16 }}>
            <XAxis type="number" tickFormatter={props.format} tick={{ fontSize: 11 }} />
            <YAxis type="category" dataKey="name" width={180} tick={{ fontSize: 11 }} />
            <Tooltip formatter={(value) => props.format(Number(value))} />
            <Bar dataKey="value" fill="#2563eb" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      )}
      <ul className="muted">
        {props.consumers.map((consumer) => (
          <li key={`${consumer.unitId}/${consumer.series}`}>
            <Link href={`/monitoring/${encodeURIComponent(consumer.systemId)}`}>{consumerName(consumer)}</Link>
          </li>
        ))}
      </ul>
    </figure>
  );
}

export function FleetMonitoring() {
  const { data, problem, reload } = useLoad(() => api.monitoring.overview.query(), []);
  usePolling(reload, MONITORING_REFRESH_MS);
  if (!data) return problem ? <Problem problem={problem} /> : <p className="loading">Loading…</p>;
  const unitSlices = data.units
    ? [
        { name: 'online', value: data.units.online, color: '#16a34a' },
        { name: 'offline', value: data.units.offline, color: '#9ca3af' },
      ]
    : [];
  return (
    <div className={styles.overview} data-testid="fleet-monitoring">
      <Problem problem={problem} />
      {data.units ? (
        <figure className={styles.chart} data-testid="units-chart" data-points={data.units.total}>
          <figcaption>
            Units: {data.units.online} online, {data.units.offline} offline
          </figcaption>
          {data.units.total === 0 ? (
            <Empty title="No units yet.">Register units under Units.</Empty>
          ) : (
            <ResponsiveContainer width="100%" height={200}>
              <PieChart>
                <Pie
                  data={unitSlices}
                  dataKey="value"
                  nameKey="name"
                  innerRadius={50}
                  outerRadius={80}
                  isAnimationActive={false}
                >
                  {unitSlices.map((slice) => (
                    <Cell key={slice.name} fill={slice.color} />
                  ))}
                </Pie>
                <Legend />
                <Tooltip />
              </PieChart>
            </ResponsiveContainer>
          )}
        </figure>
      ) : null}
      <figure className={styles.chart} data-testid="states-chart" data-points={data.instancesByState.length}>
        <figcaption>Instances by state</figcaption>
        {data.instancesByState.length === 0 ? (
          <p className="muted">No instance reported yet.</p>
        ) : (
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={data.instancesByState}>
              <XAxis dataKey="state" tick={{ fontSize: 11 }} />
              <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={32} />
              <Tooltip />
              <Bar dataKey="count" isAnimationActive={false}>
                {data.instancesByState.map((entry) => (
                  <Cell key={entry.state} fill={STATE_COLORS[entry.state] ?? '#6b7280'} />
                ))}
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        )}
      </figure>
      <ConsumerChart
        testId="top-ram"
        title="Top RAM (instances, now)"
        consumers={data.topRam}
        metric="ram"
        format={formatBytes}
      />
      <ConsumerChart
        testId="top-cpu"
        title="Top CPU (instances, now)"
        consumers={data.topCpu}
        metric="cpu"
        format={(value) => `${Math.round(value)}`}
      />
      {data.units ? (
        <ConsumerChart
          testId="top-units-ram"
          title="Top RAM (units, now)"
          consumers={data.topUnitsRam}
          metric="ram"
          format={formatBytes}
        />
      ) : null}
    </div>
  );
}
