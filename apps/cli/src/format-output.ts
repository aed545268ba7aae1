import { formatProblems, isErrorProblem, type ConfigProblem } from '@openaos/config';
import type { CertificateSummary } from './certificate-summary.js';
import type { DevCredentialsResult } from './commands/credentials-dev.js';
import type { ShowCredentialsResult } from './commands/credentials-show.js';
import type { ImageBuildResult } from './commands/image-build.js';
import type { InitResult } from './commands/init.js';
import type { InspectResult } from './commands/inspect.js';
import type { ValidateResult } from './commands/validate.js';
import { displayPath } from './display-path.js';
import type { CliError } from './errors.js';
import { field, lines } from './format-lines.js';
import { formatBytes } from './format-size.js';

export { formatSign } from './format-sign.js';

/** Output for people. Every function returns the text to print (ending without a newline). */

function formatCertificate(certificate: CertificateSummary, indent = ''): string {
  return [
    field('subject', certificate.subject),
    field('issuer', certificate.issuer),
    field('key id (kid)', certificate.keyId),
    field('serial', certificate.serialNumber),
    field('valid', `${certificate.validFrom} .. ${certificate.validTo}`),
    field('sha256', certificate.fingerprint256),
  ]
    .map((line) => indent + line)
    .join('\n');
}

export function formatInit(result: InitResult): string {
  const where = displayPath(result.directory);
  const cd = where === '' || where === '.' ? undefined : `cd ${where}`;
  return lines(
    `Created a service in ${result.directory}:`,
    ...result.created.map((file) => `  ${file}`),
    result.devCredentialPath &&
      `  ${result.devCredentialPath}  (development credential: signs packages until your cloud issues one)`,
    '',
    result.serviceUidIsPlaceholder
      ? `publish.service_uid is a random stand-in (${result.serviceUid}): replace it with the Service ID from \`aos service create\` before you upload.`
      : `publish.service_uid is ${result.serviceUid}.`,
    '',
    'Next steps:',
    cd && `  ${cd}`,
    '  aos validate        # every problem at once, with file:line:column',
    '  aos sign            # service.tar.gz, signed',
    '  aos inspect service.tar.gz',
  );
}

function formatProblemList(problems: ConfigProblem[]): string {
  return formatProblems(problems.map((problem) => ({ ...problem, file: displayPath(problem.file) })));
}

export function formatValidate(result: ValidateResult): string {
  const errors = result.problems.filter(isErrorProblem).length;
  const warnings = result.problems.length - errors;
  if (result.valid) {
    return lines(warnings > 0 && formatProblemList(result.problems), 'Config is valid');
  }
  return lines(
    formatProblemList(result.problems),
    `Config is invalid: ${errors} error(s)${warnings > 0 ? `, ${warnings} warning(s)` : ''} in ${displayPath(result.configPath)}`,
  );
}

const MAX_LISTED_FILES = 20;

export function formatInspect(result: InspectResult): string {
  const service = result.service;
  const serviceFiles = result.serviceFiles ?? [];
  return lines(
    `Package ${displayPath(result.path)} (${formatBytes(result.size)})`,
    field('sha256', result.sha256),
    field('sha3-512', result.sha3_512),
    service &&
      field(
        'service',
        `${service.serviceUid ?? '(no service_uid)'} version ${service.version ?? '(none)'}${service.configValid ? '' : ' (config invalid)'}`,
      ),
    service?.cmd !== undefined && field('cmd', Array.isArray(service.cmd) ? JSON.stringify(service.cmd) : service.cmd),
    result.created && field('created', result.created),
    'Contents:',
    ...result.contents.map(
      (entry) =>
        `  ${entry.name.padEnd(16)} ${entry.type.padEnd(9)} ${formatBytes(entry.size).padStart(10)}${entry.sha3_512 ? `  sha3-512 ${entry.sha3_512.slice(0, 32)}…` : ''}`,
    ),
    'Signed hashes (package.sign):',
    ...(result.signedFiles.length > 0
      ? result.signedFiles.map(
          (file) =>
            `  ${file.name.padEnd(16)} ${formatBytes(file.size).padStart(10)}  sha3-512 ${file.hash.slice(0, 32)}…`,
        )
      : ['  (none readable)']),
    result.serviceFiles !== undefined && `Service files (container rootfs): ${serviceFiles.length}`,
    ...serviceFiles
      .slice(0, MAX_LISTED_FILES)
      .map(
        (file) =>
          `  /${file.name}${file.type === 'directory' ? '/' : ''}${file.type === 'file' ? `  ${formatBytes(file.size)}` : ''}`,
      ),
    serviceFiles.length > MAX_LISTED_FILES && `  … ${serviceFiles.length - MAX_LISTED_FILES} more (--json lists all)`,
    'Signer:',
    result.signer
      ? formatCertificate(result.signer)
      : `  ${result.keyId ? `kid ${result.keyId} (no certificate in package.sign)` : '(unknown)'}`,
    `Trusted certificates from: ${result.trustSources.length > 0 ? result.trustSources.map((source) => displayPath(source)).join(', ') : '(none)'}`,
    result.verified
      ? 'Verification: ok (hashes, signature and certificate chain)'
      : `Verification: FAILED (${result.failure?.check ?? 'unknown'} check): ${result.failure?.message ?? ''}`,
    !result.verified && result.failure && `  hint: ${result.failure.hint}`,
  );
}

export function formatImageBuild(result: ImageBuildResult): string {
  return lines(
    `Built image ${displayPath(result.directory)}:${result.tag}`,
    result.serviceUid && field('service', `${result.serviceUid} version ${result.version ?? ''}`),
    field('manifest', `${result.manifestDigest} (${result.manifestSize} B)`),
    field('config', result.configDigest),
    field('aosService', result.serviceConfigDigest),
    field('layer', `${result.layerDigest} (${formatBytes(result.layerSize)})`),
    field('diff_id', result.diffId),
    `Open it with: umoci unpack --rootless --image ${displayPath(result.directory)}:${result.tag} <bundle>`,
  );
}

export function formatDevCredentials(result: DevCredentialsResult): string {
  return lines(
    result.caCreated
      ? `Created a development CA: ${result.caCertificatePath}`
      : `Using the development CA ${result.caCertificatePath}`,
    `Wrote ${result.pkcs12Path} (empty password; \`aos sign\` finds it by name):`,
    formatCertificate(result.certificate),
    'This credential is for local development only; packages it signs verify against the dev CA.',
  );
}

export function formatShowCredentials(result: ShowCredentialsResult): string {
  return lines(
    `Credential ${result.path}`,
    formatCertificate(result.certificate),
    field('valid now', result.currentlyValid ? 'yes' : 'NO'),
    result.issuedByDevCa !== undefined &&
      field('dev CA', result.issuedByDevCa ? 'issued by the local dev CA' : 'not issued by the local dev CA'),
    ...result.chain.map(
      (certificate, index) => `  chain[${index}]: ${certificate.subject} (until ${certificate.validTo})`,
    ),
  );
}

/** `aos: <what was being done>: <message>` + problems + hint. Stack only when debugging. */
export function formatError(error: CliError, debug: boolean): string {
  return lines(
    error.problems.length > 0 && formatProblemList(error.problems),
    `aos: ${error.action}: ${error.message}`,
    error.hint && `  hint: ${error.hint}`,
    debug && error.stack,
    debug && error.cause instanceof Error && `caused by: ${error.cause.stack ?? error.cause.message}`,
  );
}

/** The JSON document printed on stdout for an error with --json. */
export function errorJson(error: CliError): {
  error: { code: string; action: string; message: string; hint?: string; problems?: ConfigProblem[] };
} {
  return {
    error: {
      code: error.code,
      action: error.action,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      ...(error.problems.length > 0 ? { problems: error.problems } : {}),
    },
  };
}
