import type { Command } from 'commander';
import type { CloudInputs, CloudOutputs } from '../cloud/cloud-client.js';
import type { CloudTargetOptions } from '../cloud/cloud-settings.js';
import { collect, withOutputOptions, type CommandContext, type OutputOptions } from '../command-context.js';
import { CliError } from '../errors.js';
import { formatTable } from '../format-table.js';

export type AlertPage = CloudOutputs['alerts']['list'];
type AlertKind = NonNullable<CloudInputs['alerts']['list']['kinds']>[number];
const KINDS: readonly AlertKind[] = [
  'system',
  'core',
  'system-quota',
  'instance-quota',
  'instance',
  'device',
  'download',
];

export interface AlertsOptions extends CloudTargetOptions {
  unit?: string;
  serviceId?: string;
  kinds?: string[];
  isActiveOnly?: boolean;
  /** A duration back from now (`30m`, `2h`, `7d`) or an ISO time. */
  since?: string;
  limit?: number;
}

const DURATION_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `--since`: `90s`, `30m`, `2h`, `7d` back from `now`, or an ISO 8601 time. */
export function parseSince(value: string, now = new Date()): string {
  const match = /^(\d+)([smhd])$/.exec(value.trim());
  if (match)
    return new Date(now.getTime() - Number(match[1]) * (DURATION_SECONDS[match[2] ?? 's'] ?? 1) * 1000).toISOString();
  const time = new Date(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(time.getTime())) return time.toISOString();
  throw new CliError('usage', 'listing alerts', `--since "${value}" is neither a duration nor a time`, {
    hint: 'give a duration back from now (--since 30m, 2h, 7d) or an ISO time (--since 2026-12-05T10:00:00Z)',
  });
}

/** `aos alerts`: newest first; one unit's (OEM), one service's, or all the caller may see. */
export async function runAlerts(options: AlertsOptions): Promise<AlertPage> {
  // The cloud client and credentials load here, not when the command line is defined.
  const { callCloud, createCloudClient } = await import('../cloud/cloud-client.js');
  const { resolveCloudTarget } = await import('../cloud/cloud-settings.js');
  const action = options.unit ? `listing the alerts of unit ${options.unit}` : 'listing alerts';
  const kinds = (options.kinds ?? []).map((kind) => {
    if (!KINDS.includes(kind as AlertKind))
      throw new CliError('usage', action, `--kind ${kind} is not a kind of alert`, {
        hint: `give one of ${KINDS.join(', ')}`,
      });
    return kind as AlertKind;
  });
  const since = options.since ? parseSince(options.since) : undefined;
  const target = await resolveCloudTarget({ ...options, role: options.unit ? 'oem' : (options.role ?? 'sp') }, action);
  return callCloud(action, target.url, () =>
    createCloudClient(target).alerts.list.query({
      ...(options.unit ? { unit: options.unit } : {}),
      ...(options.serviceId ? { serviceId: options.serviceId } : {}),
      ...(kinds.length > 0 ? { kinds } : {}),
      ...(options.isActiveOnly ? { active: true } : {}),
      ...(since ? { since } : {}),
      ...(options.limit ? { limit: options.limit } : {}),
    }),
  );
}

function describeAlert(alert: AlertPage['alerts'][number]): string {
  if (alert.kind === 'instance-quota' || alert.kind === 'system-quota') {
    const peak = alert.peak !== null && alert.peak !== alert.value ? ` (peak ${alert.peak})` : '';
    return `${alert.parameter} = ${alert.value}${peak}`;
  }
  if (alert.kind === 'download') return `${alert.parameter}: ${alert.value} of ${alert.peak} bytes`;
  return alert.message ?? '';
}

export function formatAlerts(page: AlertPage): string {
  const table = formatTable(
    page.alerts,
    [
      { header: 'LAST', value: (alert) => alert.lastAt },
      { header: 'KIND', value: (alert) => alert.kind },
      { header: 'UNIT', value: (alert) => alert.unit?.systemId ?? '' },
      {
        header: 'SERVICE',
        value: (alert) =>
          alert.service
            ? `${alert.service.title ?? alert.service.id}${alert.instance !== null ? ` #${alert.instance}` : ''}`
            : '',
      },
      { header: 'STATE', value: (alert) => (alert.active ? 'ACTIVE' : (alert.state ?? '')) },
      { header: 'WHAT', value: describeAlert },
    ],
    'no alerts',
  );
  return page.nextCursor ? `${table}\n(older alerts not shown: raise --limit, or narrow with --since, --kind)` : table;
}

interface AlertsFlags extends OutputOptions {
  url?: string;
  pkcs12?: string;
  unit?: string;
  service?: string;
  kind?: string[];
  active?: boolean;
  since?: string;
  limit?: string;
}

/** `aos alerts`. */
export function registerAlertsCommands(program: Command, context: CommandContext): void {
  withOutputOptions(
    program
      .command('alerts')
      .description(
        'alerts units sent, newest first: quota thresholds crossed (ACTIVE until they fall), failed instances, system and agent problems, downloads',
      )
      .option('--unit <systemId>', "one unit's alerts (system ID or unit ID; OEM)")
      .option('--service <id>', "one service's instances' alerts (Service ID)")
      .option('--kind <kind>', `only this kind (repeatable): ${KINDS.join(', ')}`, collect)
      .option('--active', 'only quota alerts raised and not yet fallen')
      .option('--since <when>', 'only alerts since a duration ago (30m, 2h, 7d) or an ISO time')
      .option('--limit <n>', 'at most this many (default 50, at most 500)')
      .option('--url <url>', 'cloud address (default: AOS_CLOUD_URL, else the one `aos login` saved)')
      .option(
        '--pkcs12 <file>',
        'authenticate with this credential (default: $AOS_HOME/security/aos-user-<sp|oem>.p12)',
      ),
  ).action(async (flags: AlertsFlags) => {
    const limit = flags.limit === undefined ? undefined : Number(flags.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 500))
      throw new CliError('usage', 'listing alerts', `--limit ${flags.limit} is not a number from 1 to 500`);
    const result = await runAlerts({
      aosHome: context.env.aosHome,
      ...((flags.url ?? context.env.cloudUrl) ? { url: flags.url ?? context.env.cloudUrl } : {}),
      ...(flags.pkcs12 ? { pkcs12: flags.pkcs12 } : {}),
      ...(flags.unit ? { unit: flags.unit } : {}),
      ...(flags.service ? { serviceId: flags.service } : {}),
      ...(flags.kind ? { kinds: flags.kind } : {}),
      ...(flags.active ? { isActiveOnly: true } : {}),
      ...(flags.since ? { since: flags.since } : {}),
      ...(limit ? { limit } : {}),
    });
    context.print(flags, result, formatAlerts);
  });
}
