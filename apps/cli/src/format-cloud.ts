import type { GoResult } from './commands/go.js';
import type { LoginResult } from './commands/login.js';
import type { ServiceDetail, ServiceSummary } from './commands/service.js';
import type { SubjectView } from './commands/subject.js';
import type { UnitSetView } from './commands/unit-set.js';
import type { UnitView } from './commands/unit.js';
import type { UploadResult } from './commands/upload.js';
import type { VersionView } from './commands/version.js';
import { displayPath } from './display-path.js';
import { formatSign } from './format-output.js';
import { formatBytes } from './format-size.js';
import { formatTable } from './format-table.js';

/** Text for people of the cloud commands' results. */

export function formatLogin(result: LoginResult): string {
  const user = result.user;
  return [
    `Signed in to ${result.cloudName} at ${result.url}`,
    `  as ${user.name} <${user.email}> (${user.role}${user.organisationName ? `, ${user.organisationName}` : ''})`,
    `  with ${displayPath(result.credentialPath)}`,
    `  cloud CA saved to ${displayPath(result.caCertificatePath)} (aos inspect trusts it)`,
  ].join('\n');
}

export function formatServiceList(services: ServiceSummary[]): string {
  return formatTable(
    services,
    [
      { header: 'SERVICE ID', value: (service) => service.id },
      { header: 'TITLE', value: (service) => service.title },
      { header: 'LATEST', value: (service) => service.latestVersion ?? '-' },
      { header: 'VERSIONS', value: (service) => service.versionCount },
      { header: 'ORGANISATION', value: (service) => service.organisationName },
    ],
    'No services yet: create one with `aos service create --title <title>`',
  );
}

const versionColumns = (indent: string) => [
  { header: `${indent}VERSION`, value: (version: VersionView) => `${indent}${version.version}` },
  { header: 'ID', value: (version: VersionView) => version.id },
  { header: 'STATE', value: (version: VersionView) => version.state },
  { header: 'PACKAGE', value: (version: VersionView) => (version.packageSize ? formatBytes(version.packageSize) : '') },
  { header: 'IMAGE', value: (version: VersionView) => version.imageDigest ?? '' },
  { header: 'UPLOADED', value: (version: VersionView) => version.createdAt },
  { header: 'FAILURE', value: (version: VersionView) => version.failureReason ?? '' },
];

export function formatVersionList(versions: VersionView[]): string {
  return formatTable(versions, versionColumns(''), 'No versions uploaded yet: `aos go` signs and uploads one');
}

export function formatService(service: ServiceSummary | ServiceDetail): string {
  const lines = [
    `Service ${service.id}`,
    `  title:         ${service.title}`,
    service.description ? `  description:   ${service.description}` : undefined,
    `  organisation:  ${service.organisationName}`,
    `  created:       ${service.createdAt}`,
    `  latest:        ${service.latestVersion ?? '-'}`,
  ];
  if ('versions' in service) {
    lines.push(
      `  subjects:      ${service.subjects.map((subject) => subject.name).join(', ') || '-'}`,
      'Versions:',
      formatTable(service.versions, versionColumns('  '), '  (none uploaded yet)'),
    );
  } else {
    lines.push('', `Put this into meta/config.yaml:  publish.service_uid: ${service.id}`);
  }
  return lines.filter((line): line is string => line !== undefined).join('\n');
}

export function formatUpload(result: UploadResult): string {
  return [
    `Uploaded ${displayPath(result.packagePath)} (${formatBytes(result.size)}) to ${result.url}`,
    `  service:  ${result.serviceId}`,
    `  version:  ${result.version} (id ${result.id}), state: ${result.state}`,
  ].join('\n');
}

export function formatGo(result: GoResult): string {
  return `${formatSign(result.sign)}\n${formatUpload(result.upload)}`;
}

export function formatUnitList(units: UnitView[]): string {
  return formatTable(
    units,
    [
      { header: 'UNIT ID', value: (unit) => unit.id },
      { header: 'SYSTEM ID', value: (unit) => unit.systemId },
      { header: 'MODEL', value: (unit) => unit.model },
      // A revoked unit stays provisioned with revokedAt: say revoked.
      { header: 'STATE', value: (unit) => (unit.revokedAt ? 'revoked' : unit.state) },
      // Online only while a live cloud process holds its socket (the cloud decides).
      { header: 'CONNECTION', value: (unit) => unit.connection },
      { header: 'LAST SEEN', value: (unit) => unit.lastSeenAt ?? (unit.connection === 'online' ? '-' : 'never') },
    ],
    'No units yet: register one with `aos unit create --system-id <id> --model <model>`',
  );
}

export function formatUnitSetList(unitSets: UnitSetView[]): string {
  return formatTable(
    unitSets,
    [
      { header: 'UNIT SET ID', value: (set) => set.id },
      { header: 'NAME', value: (set) => set.name },
      { header: 'VERIFICATION', value: (set) => (set.isVerificationSet ? 'yes' : 'no') },
      { header: 'UNITS', value: (set) => set.unitCount },
    ],
    'No unit sets yet: create one with `aos unit-set create --name <name>`',
  );
}

export function formatSubjectList(subjects: SubjectView[]): string {
  return formatTable(
    subjects,
    [
      { header: 'SUBJECT ID', value: (subject) => subject.id },
      { header: 'NAME', value: (subject) => subject.name },
      { header: 'TYPE', value: (subject) => subject.type },
      { header: 'SERVICES', value: (subject) => subject.services.map((service) => service.title).join(', ') },
      { header: 'UNITS', value: (subject) => subject.units.map((unit) => unit.systemId).join(', ') },
      { header: 'UNIT SETS', value: (subject) => subject.unitSets.map((set) => set.name).join(', ') },
    ],
    'No subjects yet: create one with `aos subject create --name <name>`',
  );
}

export function formatSubject(subject: SubjectView): string {
  return formatSubjectList([subject]);
}

/** Any other object result: key: value lines (ids, names, states). */
export function formatRecord(record: unknown): string {
  if (record === null || typeof record !== 'object') return String(record);
  return Object.entries(record as Record<string, unknown>)
    .map(
      ([key, value]) =>
        `  ${`${key}:`.padEnd(18)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`,
    )
    .join('\n');
}
