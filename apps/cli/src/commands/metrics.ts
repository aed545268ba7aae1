import type { Command } from 'commander';
import type { CloudOutputs } from '../cloud/cloud-client.js';
import type { CloudTargetOptions } from '../cloud/cloud-settings.js';
import { withOutputOptions, type CommandContext, type OutputOptions } from '../command-context.js';
import { CliError } from '../errors.js';
import { formatBytes } from '../format-size.js';

export type MetricsResult = CloudOutputs['monitoring']['series'];
type Series = MetricsResult['series'][number];

const SPAN_UNITS: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 7 * 86_400 };

/** `--since`: a number with m, h, d or w (`30m`, `1h`, `1d`, `1w`), from 1 minute to 31 days. */
export function parseSince(value: string, action: string): number {
  const match = /^(\d+)([mhdw])$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * (SPAN_UNITS[match[2] ?? 'h'] ?? 3600) : NaN;
  if (!Number.isFinite(seconds) || seconds < 60 || seconds > 31 * 86_400) {
    throw new CliError('usage', action, `--since "${value}" is not a span from 1 minute to 31 days`, {
      hint: 'give a number with m, h, d or w, e.g. --since 30m, --since 1h, --since 1d, --since 1w',
    });
  }
  return seconds;
}

export interface MetricsOptions extends CloudTargetOptions {
  unit: string;
  serviceId?: string;
  /** Default `1h`. */
  since?: string;
}

/** `aos metrics`: the unit's (or one service's) CPU, RAM, disk and pids over a recent span. */
export async function runMetrics(options: MetricsOptions): Promise<MetricsResult> {
  // The cloud client and credentials load here, not when the command line is defined.
  const { callCloud, createCloudClient } = await import('../cloud/cloud-client.js');
  const { resolveCloudTarget } = await import('../cloud/cloud-settings.js');
  const action = `reading the metrics of unit ${options.unit}${options.serviceId ? ` for service ${options.serviceId}` : ''}`;
  const sinceSeconds = parseSince(options.since ?? '1h', action);
  const target = await resolveCloudTarget(options.serviceId ? options : { ...options, role: 'oem' }, action);
  return callCloud(action, target.url, () =>
    createCloudClient(target).monitoring.series.query({
      unit: options.unit,
      sinceSeconds,
      ...(options.serviceId ? { serviceId: options.serviceId } : {}),
    }),
  );
}

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of the values, scaled to their maximum (or the limit when larger). */
export function sparkline(values: number[], limit?: number): string {
  const top = Math.max(limit ?? 0, ...values, 1);
  return values.map((value) => BARS[Math.min(BARS.length - 1, Math.floor((value / top) * BARS.length))]).join('');
}

function describeSeries(series: Series): string {
  if (series.kind === 'node') return `unit node ${series.node}`;
  const name = series.title ? `${series.title} (${series.serviceId})` : series.serviceId;
  return `service ${name}, subject ${series.subjectId}, instance ${series.instance}${series.version ? `, version ${series.version}` : ''}`;
}

function line(label: string, values: number[], show: (value: number) => string, limit?: number): string {
  if (values.length === 0) return `  ${label.padEnd(8)} no samples`;
  const last = values.at(-1) ?? 0;
  const peak = Math.max(...values);
  const average = values.reduce((sum, value) => sum + value, 0) / values.length;
  const quota = limit ? `  limit ${show(limit)} (now ${Math.round((last / limit) * 100)}%)` : '';
  return `  ${label.padEnd(8)} ${sparkline(values.slice(-60), limit)}  now ${show(last)}  avg ${show(average)}  max ${show(peak)}${quota}`;
}

/** For people: per series a sparkline and the current, average and peak figures, with the quota. */
export function formatMetrics(result: MetricsResult): string {
  const head = `unit ${result.unit.systemId}: ${result.from} to ${result.to}, points of ${result.bucketSeconds} s (${result.source})`;
  if (result.series.length === 0)
    return `${head}\n(no monitoring data yet: the unit sends it every minute once connected)`;
  const cpu = (value: number) => `${Math.round(value)}`;
  const blocks = result.series.map((series) => {
    const points = series.points;
    const partitions = [...new Set(points.flatMap((point) => point.partitions.map((partition) => partition.name)))];
    const lines = [
      describeSeries(series),
      line(
        'cpu',
        points.map((point) => point.cpu),
        cpu,
        series.limits.cpu,
      ),
      line(
        'ram',
        points.map((point) => point.ram),
        formatBytes,
        series.limits.ram,
      ),
      ...partitions.map((name) =>
        line(
          name,
          points.map((point) => point.partitions.find((partition) => partition.name === name)?.usedSize ?? 0),
          formatBytes,
          name === 'storage' ? series.limits.storage : name === 'state' ? series.limits.state : undefined,
        ),
      ),
    ];
    const pids = points.flatMap((point) => (point.pids === null ? [] : [point.pids]));
    if (pids.length > 0) lines.push(line('pids', pids, (value) => `${Math.round(value)}`));
    return lines.join('\n');
  });
  return [head, ...blocks].join('\n\n');
}

/** Register `aos metrics` (its own file; one line in program-cloud.ts). */
export function registerMetricsCommand(program: Command, context: CommandContext): void {
  withOutputOptions(
    program
      .command('metrics')
      .description(
        "a unit's CPU, RAM, disk and pids over the last hour/day/week, with quotas (OEM: the unit and its instances; SP: your service's instances on it)",
      )
      .requiredOption('--unit <systemId>', 'the unit (system ID or unit ID)')
      .option('--service <id>', "only this service's instances (Service ID)")
      .option('--since <span>', 'how far back: 30m, 1h, 1d, 1w (up to 31d)', '1h'),
    false,
  )
    .option('--url <url>', 'cloud address (default: AOS_CLOUD_URL, else the one `aos login` saved)')
    .option('--pkcs12 <file>', 'authenticate with this credential (default: $AOS_HOME/security/aos-user-<sp|oem>.p12)')
    .action(
      async (
        flags: OutputOptions & { url?: string; pkcs12?: string; unit: string; service?: string; since: string },
      ) => {
        const url = flags.url ?? context.env.cloudUrl;
        const result = await runMetrics({
          aosHome: context.env.aosHome,
          ...(url ? { url } : {}),
          ...(flags.pkcs12 ? { pkcs12: flags.pkcs12 } : {}),
          unit: flags.unit,
          ...(flags.service ? { serviceId: flags.service } : {}),
          since: flags.since,
        });
        context.print(flags, result, formatMetrics);
      },
    );
}
