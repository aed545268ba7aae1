'use client';
/**
 * Monitoring charts (docs/monitoring.md "Console"): per series of a unit (its node, each
 * instance) CPU, RAM and disk over the last hour, day or week, each with its limit drawn as a
 * dashed line (the instance's quota, or the node's size). Refreshed with the page's polling.
 */
import { useState } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MonitoringSeriesResult, SeriesView } from '@openaos/api';
import { MONITORING_REFRESH_MS, useLoad, usePolling } from './hooks';
import styles from './monitoring.module.css';
import { api } from './trpc';
import { Empty, Problem } from './ui';
import { UnitLogs, type LogInstance } from './unit-logs';

export const SPANS = [
  { label: 'Hour', seconds: 3600 },
  { label: 'Day', seconds: 86_400 },
  { label: 'Week', seconds: 7 * 86_400 },
] as const;

const COLORS = ['#2563eb', '#16a34a', '#9333ea', '#ea580c'];

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** CPU on the axis and in the tooltip: three significant digits (an idle instance's 0.25 is not "0", 82.5 not "90"). */
export function formatCpu(value: number): string {
  return `${Number(value.toPrecision(3))}`;
}

function formatTick(spanSeconds: number) {
  return (time: number) => {
    const date = new Date(time);
    return spanSeconds > 86_400
      ? date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
      : date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  };
}

interface ChartProps {
  testId: string;
  title: string;
  rows: Record<string, number>[];
  lines: { key: string; name: string }[];
  limits: { value: number; label: string }[];
  format: (value: number) => string;
  domain: [number, number];
  spanSeconds: number;
}

/** One small time chart; the limits are dashed reference lines and widen the Y axis to show them. */
function MetricChart(props: ChartProps) {
  const peak = Math.max(0, ...props.limits.map((limit) => limit.value));
  return (
    <figure className={styles.chart} data-testid={props.testId} data-points={props.rows.length}>
      <figcaption>{props.title}</figcaption>
      <ResponsiveContainer width="100%" height={160}>
        <LineChart data={props.rows} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis
            dataKey="time"
            type="number"
            scale="time"
            domain={props.domain}
            tickFormatter={formatTick(props.spanSeconds)}
            tick={{ fontSize: 11 }}
          />
          <YAxis
            tickFormatter={props.format}
            tick={{ fontSize: 11 }}
            width={64}
            domain={[0, (dataMax: number) => Math.max(dataMax, peak) * 1.1 || 1]}
          />
          <Tooltip
            labelFormatter={(time) => new Date(Number(time)).toLocaleString()}
            formatter={(value) => props.format(Number(value))}
          />
          {props.lines.map((line, index) => (
            <Line
              key={line.key}
              dataKey={line.key}
              name={line.name}
              stroke={COLORS[index % COLORS.length]}
              dot={props.rows.length <= 2}
              strokeWidth={2}
              isAnimationActive={false}
              connectNulls
            />
          ))}
          {props.limits.map((limit) => (
            <ReferenceLine
              key={limit.label}
              y={limit.value}
              stroke="#dc2626"
              strokeDasharray="6 4"
              label={{ value: limit.label, position: 'insideTopRight', fontSize: 11, fill: '#dc2626' }}
              className="limit-line"
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** The instances among a unit's series, once each, for the log view. */
function logInstances(series: SeriesView[]): LogInstance[] {
  const found = new Map<string, LogInstance>();
  for (const item of series) {
    if (item.kind !== 'instance' || !item.serviceId || !item.subjectId || item.instance === null) continue;
    const key = `${item.serviceId}/${item.subjectId}/${item.instance}`;
    if (!found.has(key))
      found.set(key, {
        serviceId: item.serviceId,
        subjectId: item.subjectId,
        instance: item.instance,
        title: item.title,
      });
  }
  return [...found.values()];
}

function describeSeries(series: SeriesView): string {
  if (series.kind === 'node') return `Unit (node ${series.node})`;
  return `${series.title ?? series.serviceId} · subject ${series.subjectName ?? series.subjectId} · instance ${series.instance}${
    series.version ? ` · ${series.version}` : ''
  }`;
}

/** The three charts of one series. */
export function SeriesCharts({ series, result }: { series: SeriesView; result: MonitoringSeriesResult }) {
  const spanSeconds = (Date.parse(result.to) - Date.parse(result.from)) / 1000;
  const domain: [number, number] = [Date.parse(result.from), Date.parse(result.to)];
  const partitionNames = [...new Set(series.points.flatMap((point) => point.partitions.map((item) => item.name)))];
  const rows = series.points.map((point) => ({
    time: Date.parse(point.at),
    cpu: point.cpu,
    ram: point.ram,
    ...Object.fromEntries(point.partitions.map((item) => [`disk:${item.name}`, item.usedSize])),
  }));
  const limit = (value: number | undefined, label: string) => (value ? [{ value, label }] : []);
  const common = { rows, domain, spanSeconds };
  return (
    <section className={styles.series} data-testid={`series-${series.series}`}>
      <h3>{describeSeries(series)}</h3>
      <div className={styles.charts}>
        <MetricChart
          {...common}
          testId={`chart-cpu-${series.series}`}
          title={series.limits.cpu ? 'CPU (DMIPS)' : 'CPU'}
          lines={[{ key: 'cpu', name: 'CPU' }]}
          limits={limit(series.limits.cpu, 'quota')}
          format={formatCpu}
        />
        <MetricChart
          {...common}
          testId={`chart-ram-${series.series}`}
          title="RAM"
          lines={[{ key: 'ram', name: 'RAM' }]}
          limits={limit(series.limits.ram, series.kind === 'node' ? 'total' : 'quota')}
          format={formatBytes}
        />
        <MetricChart
          {...common}
          testId={`chart-disk-${series.series}`}
          title="Disk"
          lines={partitionNames.map((name) => ({ key: `disk:${name}`, name }))}
          limits={[...limit(series.limits.storage, 'storage quota'), ...limit(series.limits.state, 'state quota')]}
          format={formatBytes}
        />
      </div>
    </section>
  );
}

/**
 * The span picker and every series of the unit the caller may see (SP: its services' instances).
 * `withLogs`: also the log view of those instances (the SP's monitoring page; the OEM's unit page has its own).
 */
export function UnitMonitoring({
  unit,
  serviceId,
  withLogs,
}: {
  unit: string;
  serviceId?: string;
  withLogs?: boolean;
}) {
  const [spanSeconds, setSpanSeconds] = useState<number>(SPANS[0].seconds);
  const { data, problem, reload } = useLoad(
    () => api.monitoring.series.query({ unit, sinceSeconds: spanSeconds, ...(serviceId ? { serviceId } : {}) }),
    [unit, serviceId, spanSeconds],
  );
  usePolling(reload, MONITORING_REFRESH_MS);
  return (
    <div className={styles.monitoring} data-testid="monitoring">
      <div className={styles.spans} role="group" aria-label="Time span">
        {SPANS.map((span) => (
          <button
            key={span.seconds}
            type="button"
            className={span.seconds === spanSeconds ? styles.active : 'button-small'}
            aria-pressed={span.seconds === spanSeconds}
            onClick={() => setSpanSeconds(span.seconds)}
          >
            {span.label}
          </button>
        ))}
      </div>
      <Problem problem={problem} />
      {!data ? (
        problem ? null : (
          <p className="loading">Loading…</p>
        )
      ) : data.series.length === 0 ? (
        <Empty title="No monitoring data yet.">
          A connected unit sends its CPU, RAM and disk figures every minute (aos-agent run --monitoring-period).
        </Empty>
      ) : (
        <>
          {data.series.map((series) => (
            <SeriesCharts key={series.series} series={series} result={data} />
          ))}
          {withLogs ? <UnitLogs systemId={unit} instances={logInstances(data.series)} agentLog={false} /> : null}
        </>
      )}
    </div>
  );
}
