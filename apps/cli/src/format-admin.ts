import type { IssuedCredentialResult, OrganisationView, UserCreateResult, UserView } from './commands/admin.js';
import { displayPath } from './display-path.js';
import { formatTable } from './format-table.js';

/** Text for people of `aos admin …` results. */

export function formatOrganisationList(organisations: OrganisationView[]): string {
  return formatTable(
    organisations,
    [
      { header: 'ORGANISATION ID', value: (organisation) => organisation.id },
      { header: 'NAME', value: (organisation) => organisation.name },
      { header: 'KIND', value: (organisation) => organisation.kind },
      { header: 'CREATED', value: (organisation) => organisation.createdAt },
    ],
    'No organisations yet: create one with `aos admin organisation create --name <name> --kind sp|oem`',
  );
}

export function formatOrganisation(organisation: OrganisationView): string {
  return [
    `Organisation ${organisation.id}`,
    `  name:  ${organisation.name}`,
    `  kind:  ${organisation.kind === 'sp' ? 'sp (service provider)' : 'oem (device owner)'}`,
    '',
    `Next: aos admin user create --email <email> --name <name> --role ${organisation.kind} --organisation ${organisation.id}`,
  ].join('\n');
}

export function formatUserList(users: UserView[]): string {
  return formatTable(
    users,
    [
      { header: 'USER ID', value: (user) => user.id },
      { header: 'EMAIL', value: (user) => user.email },
      { header: 'NAME', value: (user) => user.name },
      { header: 'ROLE', value: (user) => user.role },
      { header: 'ORGANISATION', value: (user) => user.organisationName ?? '-' },
      { header: 'ACTIVE', value: (user) => (user.isActive ? 'yes' : 'no') },
    ],
    'No users yet: create one with `aos admin user create`',
  );
}

export function formatUser(user: UserView): string {
  return [
    `User ${user.id}`,
    `  email:         ${user.email}`,
    `  name:          ${user.name}`,
    `  role:          ${user.role}`,
    `  organisation:  ${user.organisationName ?? '-'}`,
    `  active:        ${user.isActive ? 'yes' : 'no (sessions and credentials refused)'}`,
  ].join('\n');
}

export function formatUserCreate(result: UserCreateResult): string {
  return [
    formatUser(result.user),
    result.password
      ? `  password:      ${result.password}    (generated: shown only now; give it to the user)`
      : '  password:      the one given',
    '',
    `Next: aos admin user credential ${result.user.email}   # their credential for the CLI and for signing`,
  ].join('\n');
}

export function formatIssuedCredential(result: IssuedCredentialResult): string {
  return [
    `Wrote ${displayPath(result.path)} (credential of ${result.user}; PKCS#12, empty password)`,
    `  sha256:  ${result.fingerprint256}`,
    '  It signs packages and authenticates the CLI; keep it private (`aos credentials show` describes it).',
  ].join('\n');
}
