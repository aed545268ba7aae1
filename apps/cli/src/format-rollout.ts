import type { RolloutDetail, RolloutView } from './commands/rollout.js';
import { formatTable } from './format-table.js';

const STATES = ['pending', 'updating', 'offline', 'active', 'failed'] as const;

function formatCounts(counts: Record<string, number>): string {
  return STATES.filter((state) => (counts[state] ?? 0) > 0)
    .map((state) => `${counts[state]} ${state}`)
    .join(', ');
}

export function formatRolloutList(rollouts: RolloutView[]): string {
  return formatTable(
    rollouts,
    [
      { header: 'ROLLOUT ID', value: (rollout) => rollout.id },
      { header: 'SERVICE', value: (rollout) => rollout.serviceTitle },
      { header: 'VERSION', value: (rollout) => rollout.version },
      { header: 'SUBJECT', value: (rollout) => rollout.subjectName },
      { header: 'STATUS', value: (rollout) => rollout.status },
      { header: 'WAVE', value: (rollout) => `${rollout.wave}/${rollout.waveCount}` },
      { header: 'UNITS', value: (rollout) => formatCounts(rollout.counts) || '-' },
    ],
    'No rollouts: approving a version bound to your subjects starts one, or `aos rollout start <versionId>`',
  );
}

export function formatRollout(rollout: RolloutDetail): string {
  const plan = rollout.plan;
  const lines = [
    `Rollout ${rollout.id}: ${rollout.serviceTitle} ${rollout.version} on subject "${rollout.subjectName}" — ${rollout.status}, wave ${rollout.wave} of ${rollout.waveCount}`,
    `Plan: waves ${plan.waves.map((wave) => ('percent' in wave ? `${wave.percent}%` : `${wave.count}`)).join(' → ')}, soak ${plan.soakSeconds} s, at least ${plan.minHealthyUnits} active per wave; ${plan.onFailure} at ${plan.failureThresholdPercent} % failed (from ${plan.failureMinUnits} finished units); offline units fail after ${plan.offlineTimeoutSeconds} s`,
    `Units that join the subject meanwhile get: ${rollout.status === 'completed' ? rollout.version : (rollout.baselineVersion ?? 'nothing')}`,
    '',
    formatTable(
      rollout.waves,
      [
        { header: 'WAVE', value: (wave) => wave.wave },
        { header: 'STARTED', value: (wave) => (wave.isStarted ? 'yes' : 'no') },
        { header: 'UNITS', value: (wave) => wave.units },
        { header: 'STATES', value: (wave) => formatCounts(wave.counts) },
      ],
      '(no units besides verification units)',
    ),
    '',
    'History:',
    ...rollout.events.map((event) => `  ${event.at}  ${event.kind.padEnd(12)} ${event.reason}`),
  ];
  const troubled = rollout.units.filter((unit) => unit.state === 'failed' || unit.state === 'offline');
  if (troubled.length > 0) {
    lines.push('', 'Units failed or offline:');
    lines.push(
      formatTable(troubled, [
        { header: 'SYSTEM ID', value: (unit) => unit.systemId },
        { header: 'WAVE', value: (unit) => unit.wave },
        { header: 'STATE', value: (unit) => unit.state },
        { header: 'SINCE', value: (unit) => unit.since },
        { header: 'REASON', value: (unit) => unit.reason },
      ]),
    );
  }
  return lines.join('\n');
}

export function formatRollouts(rollouts: RolloutDetail[]): string {
  return rollouts.map(formatRollout).join('\n\n');
}
