import type { ProvisioningToken, RevokedUnit, StatusResult, UnitStatus } from './commands/unit-channel.js';
import { formatTable } from './format-table.js';

/** Text for people of the unit channel commands (provision-token, revoke, status). */

export function formatProvisioningToken(result: ProvisioningToken): string {
  return [
    `Provisioning token for unit ${result.systemId} (works once, until ${result.expiresAt}):`,
    `  token:    ${result.token}`,
    `  cloud:    ${result.cloudUrl}`,
    '',
    'Run on the device:',
    `  ${result.command}`,
  ].join('\n');
}

export function formatRevokedUnit(unit: RevokedUnit): string {
  return [
    `Unit ${unit.systemId} is revoked (since ${unit.revokedAt ?? '?'}): the cloud refuses it from now on.`,
    'To bring it back, provision it again: `aos unit provision-token ' + unit.systemId + '`.',
  ].join('\n');
}

function describeError(errorInfo: { message?: string; exitCode?: number; aosCode?: number } | null): string {
  if (!errorInfo) return '';
  const codes = [
    errorInfo.exitCode !== undefined ? `exit ${errorInfo.exitCode}` : undefined,
    errorInfo.aosCode !== undefined ? `aos ${errorInfo.aosCode}` : undefined,
  ].filter(Boolean);
  return [errorInfo.message, codes.length > 0 ? `(${codes.join(', ')})` : undefined].filter(Boolean).join(' ');
}

function connectionLine(unit: UnitStatus['unit']): string {
  if (unit.revokedAt) return `revoked since ${unit.revokedAt}`;
  if (unit.connection === 'online') return 'online';
  return unit.lastSeenAt ? `offline, last seen ${unit.lastSeenAt}` : 'offline, never connected';
}

function formatUnitStatus(status: UnitStatus): string {
  const { unit, desired } = status;
  const lines = [
    `Unit ${unit.systemId} (${unit.id})`,
    `  model:        ${unit.model}`,
    `  state:        ${unit.state}${unit.provisionedAt ? ` (provisioned ${unit.provisionedAt})` : ''}`,
    `  connection:   ${connectionLine(unit)}`,
    desired
      ? `  desired:      generation ${desired.generation} (issued ${desired.issuedAt}): ${
          desired.items.map((item) => `${item.title ?? item.serviceId} ${item.version}`).join(', ') || 'no services'
        }`
      : '  desired:      nothing issued yet',
  ];
  if (unit.connection === 'offline' && (status.items.length > 0 || status.instances.length > 0)) {
    lines.push('  (the unit is offline: what follows is what it last reported)');
  }
  lines.push(
    'Services:',
    formatTable(
      status.items,
      [
        { header: '  SERVICE', value: (item) => `  ${item.title ?? item.serviceId}` },
        { header: 'VERSION', value: (item) => item.version },
        { header: 'STATE', value: (item) => item.state },
        { header: 'REPORTED', value: (item) => item.reportedAt },
        { header: 'REASON', value: (item) => describeError(item.errorInfo) },
      ],
      '  (none reported)',
    ),
    'Instances:',
    formatTable(
      status.instances,
      [
        { header: '  SERVICE', value: (instance) => `  ${instance.title ?? instance.serviceId}` },
        { header: 'SUBJECT', value: (instance) => instance.subjectName ?? instance.subjectId },
        { header: '#', value: (instance) => instance.instance },
        { header: 'VERSION', value: (instance) => instance.version },
        { header: 'STATE', value: (instance) => instance.state },
        { header: 'REPORTED', value: (instance) => instance.reportedAt },
        { header: 'REASON', value: (instance) => describeError(instance.errorInfo) },
      ],
      '  (none reported)',
    ),
  );
  if (status.recentEvents.length > 0) {
    lines.push(
      'Recent history:',
      formatTable(status.recentEvents.slice(0, 10), [
        { header: '  AT', value: (event) => `  ${event.at}` },
        { header: 'KIND', value: (event) => event.kind },
        { header: 'WHAT', value: (event) => event.subject },
        { header: 'STATE', value: (event) => event.state },
        { header: 'REASON', value: (event) => describeError(event.errorInfo) },
      ]),
    );
  }
  return lines.join('\n');
}

const countColumns = <
  T extends { desired: number; installed: number; active: number; failed: number; offline: number },
>() => [
  { header: 'DESIRED', value: (row: T) => row.desired },
  { header: 'INSTALLED', value: (row: T) => row.installed },
  { header: 'ACTIVE', value: (row: T) => row.active },
  { header: 'FAILED', value: (row: T) => row.failed },
  { header: 'OFFLINE', value: (row: T) => row.offline },
];

export function formatStatus(result: StatusResult): string {
  if (result.kind === 'unit') return formatUnitStatus(result.unit);
  if (result.kind === 'service') {
    const { service } = result;
    return [
      `Service ${service.title} (${service.serviceId}): units per version${service.scope === 'organisation-units' ? ' (your units)' : ''}`,
      formatTable(
        service.versions,
        [
          { header: 'VERSION', value: (row) => row.version },
          { header: 'STATE', value: (row) => row.state ?? '(not in the cloud)' },
          ...countColumns<(typeof service.versions)[number]>(),
        ],
        '(no versions)',
      ),
    ].join('\n');
  }
  const { overview } = result;
  const lines: string[] = [];
  if (overview.units) {
    const units = overview.units;
    lines.push(
      `Units: ${units.total} (${units.online} online, ${units.offline} offline; ${units.provisioned} provisioned, ${units.revoked} revoked; ${units.failing} with failures)`,
    );
  }
  lines.push(
    formatTable(
      overview.services,
      [
        { header: 'SERVICE', value: (row) => row.title ?? row.serviceId },
        { header: 'SERVICE ID', value: (row) => row.serviceId },
        ...countColumns<(typeof overview.services)[number]>(),
      ],
      'No service is desired on or reported by any unit yet.',
    ),
  );
  return lines.join('\n');
}
