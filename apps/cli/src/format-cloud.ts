import type { GoResult } from './commands/go.js';
import type { LoginResult } from './commands/login.js';
import type { ServiceDetail, ServiceSummary } from './commands/service.js';
import type { SubjectView } from './commands/subject.js';
import type { UnitSetView } from './commands/unit-set.js';
import type { UnitView } from './commands/unit.js';
import type { UploadResult } from './commands/upload.js';
import type { VersionView } from './commands/version.js';
import { displayPath } from './display-path.js';
import { formatSign } from './format-sign.js';
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

/** A subject and what it binds (show, create, bind, unbind): one line each, the IDs beside the names. */
export function formatSubject(subject: SubjectView, heading = 'Subject'): string {
  const named = (items: { id: string; name: string }[]) =>
    items.length ? items.map((item) => `${item.name} (${item.id})`).join(', ') : '-';
  return [
    `${heading} ${subject.name} (${subject.id})`,
    `  type:       ${subject.type}`,
    `  services:   ${named(subject.services.map((service) => ({ id: service.id, name: service.title })))}`,
    `  units:      ${named(subject.units.map((unit) => ({ id: unit.id, name: unit.systemId })))}`,
    `  unit sets:  ${named(subject.unitSets.map((set) => ({ id: set.id, name: set.isVerificationSet ? `${set.name} [verification]` : set.name })))}`,
  ].join('\n');
}

/** `aos version approve`: what was approved, and what the fleet gets now. */
export function formatVersionApproved(version: {
  id: string;
  serviceId: string;
  version: string;
  state: string;
  imageDigest: string | null;
  approvedAt?: string | null;
}): string {
  return [
    `Approved version ${version.version} (${version.id}) of service ${version.serviceId}`,
    `  state:     ${version.state}${version.approvedAt ? ` (${version.approvedAt})` : ''}`,
    `  image:     ${version.imageDigest ?? '-'}`,
    '  Units of subjects binding the service get it (a rollout in waves when one is configured: aos rollout list).',
  ].join('\n');
}

/** A unit (create, show): identity, connection, and (show) its unit sets and subjects. */
export function formatUnit(
  unit: UnitView & { unitSets?: { id: string; name: string }[]; subjects?: { id: string; name: string }[] },
  heading = 'Unit',
): string {
  const named = (items: { id: string; name: string }[]) =>
    items.map((item) => `${item.name} (${item.id})`).join(', ') || '-';
  const lines = [
    `${heading} ${unit.systemId} (${unit.id})`,
    `  model:        ${unit.model}`,
    `  state:        ${unit.state}${unit.revokedAt ? `, revoked ${unit.revokedAt}` : ''}`,
    `  connection:   ${unit.connection}${unit.lastSeenAt ? `, last seen ${unit.lastSeenAt}` : ''}`,
    `  provisioned:  ${unit.provisionedAt ?? '-'}`,
  ];
  if (unit.unitSets) lines.push(`  unit sets:    ${named(unit.unitSets)}`);
  if (unit.subjects) lines.push(`  subjects:     ${named(unit.subjects)}`);
  if (unit.state === 'new') lines.push('', `Provision it: aos unit provision-token ${unit.systemId}`);
  return lines.join('\n');
}

/** A unit set (create, show): its name, kind, units and the subjects bound to it. */
export function formatUnitSet(
  unitSet: UnitSetView & { units?: UnitView[]; subjects?: { id: string; name: string }[] },
  heading = 'Unit set',
): string {
  const lines = [
    `${heading} ${unitSet.name} (${unitSet.id})`,
    `  verification set:  ${unitSet.isVerificationSet ? 'yes (gets versions before approval)' : 'no'}`,
    `  units:             ${unitSet.unitCount}`,
  ];
  if (unitSet.subjects) {
    lines.push(
      `  subjects:          ${unitSet.subjects.map((subject) => `${subject.name} (${subject.id})`).join(', ') || '-'}`,
    );
  }
  if (unitSet.units?.length) lines.push(formatUnitList(unitSet.units).replace(/^/gm, '  '));
  return lines.join('\n');
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
