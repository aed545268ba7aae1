import type { DaemonOptions } from './run-command.js';

export type MonitoringFlags = Pick<
  DaemonOptions,
  'monitoringPeriodMs' | 'monitoringPollMs' | 'monitoringAverageWindowMs' | 'monitoringBufferSamples'
>;

/** Limits of the flags: a period of a second suits tests; a day is the most a unit may stay silent. */
const SECONDS = { min: 1, max: 86_400 } as const;

function readSeconds(flag: string, value: string | undefined): number | undefined | string {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < SECONDS.min || seconds > SECONDS.max)
    return `--${flag} ${value}: give seconds from ${SECONDS.min} to ${SECONDS.max} (e.g. --${flag} 60)`;
  return Math.round(seconds * 1000);
}

/** The daemon's monitoring options from `aos-agent run` flags, or a message saying which flag is wrong. */
export function readMonitoringFlags(values: Record<string, unknown>): MonitoringFlags | string {
  const flags: MonitoringFlags = {};
  const period = readSeconds('monitoring-period', values['monitoring-period'] as string | undefined);
  const poll = readSeconds('monitoring-poll', values['monitoring-poll'] as string | undefined);
  const window = readSeconds('monitoring-window', values['monitoring-window'] as string | undefined);
  for (const value of [period, poll, window]) if (typeof value === 'string') return value;
  if (typeof period === 'number') flags.monitoringPeriodMs = period;
  if (typeof poll === 'number') flags.monitoringPollMs = poll;
  if (typeof window === 'number') {
    if (window < (flags.monitoringPollMs ?? 10_000))
      return `--monitoring-window ${window / 1000}: must be at least the poll period (${(flags.monitoringPollMs ?? 10_000) / 1000} s)`;
    flags.monitoringAverageWindowMs = window;
  }
  const buffer = values['monitoring-buffer'] as string | undefined;
  if (buffer !== undefined) {
    const samples = Number(buffer);
    if (!Number.isInteger(samples) || samples < 1 || samples > 1_000_000)
      return `--monitoring-buffer ${buffer}: give a whole number of samples from 1 to 1000000 (e.g. 10000)`;
    flags.monitoringBufferSamples = samples;
  }
  return flags;
}
