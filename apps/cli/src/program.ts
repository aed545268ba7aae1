import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { CliEnvironment } from './env.js';
import { CliError, EXIT_CODES, exitCodeOf } from './errors.js';
import { collect, createCommandContext, withOutputOptions, type CliIo, type OutputOptions } from './command-context.js';
import { groupCommandsForHelp } from './help-groups.js';
import { registerCloudCommands } from './program-cloud.js';
import { trackBuildProgress } from './progress.js';

export type { CliIo };

// Each command's code and output formats are imported when the command runs, so starting `aos`
// loads the command line's definitions and the one command used: not config.yaml's schemas, the
// packager, the image builder or the cloud client of the others.

const EXIT_CODES_HELP = `
Exit codes:
  0   success (inspect: the package verified)
  1   error: invalid config, missing file, failed build, ...
  2   verification failed: the package's hashes, signature or signer's chain did not check out
  64  usage error: unknown command or option, missing argument

Environment:
  AOS_HOME       where credentials live (default ~/.aos): security/*.p12, dev-ca/
  AOS_DEBUG      set to 1 to print stack traces
  AOS_CLOUD_URL  the cloud for cloud commands (--url wins; without both, what \`aos login\` saved)
`;

function readVersion(): string {
  // src/ and dist/ are one level below package.json, the bundle's dist/bundle/ two.
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const text = readFileSync(new URL(path, import.meta.url), 'utf8');
      const manifest = JSON.parse(text) as { name?: string; version?: string };
      if (manifest.name === '@openaos/cli') return manifest.version ?? '0.0.0';
    } catch {
      // not there: try the next one
    }
  }
  return '0.0.0';
}

/**
 * Build the `aos` command line. Every action calls one plain command function and prints its
 * result; `state.exitCode` receives the command's exit code (errors propagate to runCli).
 */
export function createProgram(io: CliIo, env: CliEnvironment, state: { exitCode: number }): Command {
  const context = createCommandContext(io, env, state);
  const { print, progressFor } = context;
  const trustOptions = (command: Command): Command =>
    command
      .option('--ca <pem>', 'trust signers issued by this CA certificate (repeatable)', collect)
      .option('--certificate <pem|p12>', 'trust this signer certificate (repeatable)', collect);

  const program = new Command('aos')
    .description(
      'OpenAos command line: create, validate, sign, inspect and upload AosEdge service packages, and manage the fleet',
    )
    .version(readVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run `aos --help` for usage)')
    .addHelpText('after', EXIT_CODES_HELP);

  withOutputOptions(
    program
      .command('init')
      .argument('[dir]', 'folder to create the service in', '.')
      .description('create a service folder: commented meta/config.yaml and a Python hello world in src/')
      .option(
        '--service-uid <uuid>',
        'fill in publish.service_uid (default: a random stand-in until the cloud issues the ID)',
      )
      .option('--url <host>', 'fill in publish.url (cloud host)')
      .option('--no-dev-credential', 'do not create a development credential when you have none'),
  ).action(
    async (dir: string, options: OutputOptions & { serviceUid?: string; url?: string; devCredential: boolean }) => {
      const { runInit } = await import('./commands/init.js');
      const format = await import('./format-output.js');
      const result = await runInit({
        directory: dir,
        ...(options.devCredential ? { aosHome: env.aosHome } : {}),
        ...(options.serviceUid ? { serviceUid: options.serviceUid } : {}),
        ...(options.url ? { url: options.url } : {}),
      });
      print(options, result, format.formatInit);
    },
  );

  withOutputOptions(
    program
      .command('validate')
      .description('check meta/config.yaml and list every problem with file:line:col (exit 1 if invalid)')
      .option('-C, --directory <dir>', 'the service folder (parent of meta/)')
      .option('--config <path>', 'the config file (default <dir>/meta/config.yaml)')
      .option('--no-for-signing', 'do not require what signing needs (service_uid, version, credential entry)'),
    false,
  ).action(async (options: OutputOptions & { directory?: string; config?: string; forSigning: boolean }) => {
    const { runValidate } = await import('./commands/validate.js');
    const format = await import('./format-output.js');
    const result = await runValidate({
      ...(options.directory ? { directory: options.directory } : {}),
      ...(options.config ? { configPath: options.config } : {}),
      forSigning: options.forSigning,
    });
    print(options, result, format.formatValidate);
    if (!result.valid) state.exitCode = EXIT_CODES.error;
  });

  withOutputOptions(
    program
      .command('sign')
      .description('validate, then build and sign service.tar.gz (aos-signer layout)')
      .option('-C, --directory <dir>', 'the service folder (parent of meta/)')
      .option('--config <path>', 'the config file; must be <dir>/meta/config.yaml')
      .option('-p, --pkcs12 <file>', 'sign with this PKCS#12 instead of build.sign_pkcs12')
      .option('-o, --output <file>', 'write the package here (default <dir>/<build.package_folder>/service.tar.gz)'),
  ).action(
    async (options: OutputOptions & { directory?: string; config?: string; pkcs12?: string; output?: string }) => {
      const { runSign } = await import('./commands/sign.js');
      const format = await import('./format-output.js');
      const reporter = progressFor(options);
      try {
        const result = await runSign({
          aosHome: env.aosHome,
          ...(options.directory ? { directory: options.directory } : {}),
          ...(options.config ? { configPath: options.config } : {}),
          ...(options.pkcs12 ? { pkcs12: options.pkcs12 } : {}),
          ...(options.output ? { output: options.output } : {}),
          signedAt: env.sourceDateEpoch,
          onProgress: trackBuildProgress(reporter),
        });
        reporter.done();
        print(options, result, format.formatSign);
      } catch (error) {
        reporter.done();
        throw error;
      }
    },
  );

  withOutputOptions(
    trustOptions(
      program
        .command('inspect')
        .argument('<package>', 'a signed service.tar.gz')
        .description('show contents, hashes and signer of a package and verify it (exit 2 if it does not verify)'),
    ),
    false,
  )
    .addHelpText(
      'after',
      '\nWithout --ca/--certificate, trusts the dev CA ($AOS_HOME/dev-ca/ca.pem), the CA of the cloud you logged in to\n($AOS_HOME/cloud-ca.pem) and the certificates of $AOS_HOME/security/*.p12.',
    )
    .action(async (packagePath: string, options: OutputOptions & { ca?: string[]; certificate?: string[] }) => {
      const { runInspect } = await import('./commands/inspect.js');
      const format = await import('./format-output.js');
      const result = await runInspect({
        packagePath,
        aosHome: env.aosHome,
        ...(options.ca ? { caPaths: options.ca } : {}),
        ...(options.certificate ? { certificatePaths: options.certificate } : {}),
      });
      print(options, result, format.formatInspect);
      if (!result.verified) state.exitCode = EXIT_CODES.verificationFailed;
    });

  const image = program.command('image').description('OCI images of service packages');
  withOutputOptions(
    trustOptions(
      image
        .command('build')
        .argument('<package>', 'a signed service.tar.gz')
        .description('verify a package and turn it into an OCI image layout, as the cloud does')
        .requiredOption('-o, --output <dir>', 'directory for the OCI image layout')
        .option('--tag <name>', 'reference name in index.json', 'latest'),
    ),
  ).action(
    async (
      packagePath: string,
      options: OutputOptions & { output: string; tag: string; ca?: string[]; certificate?: string[] },
    ) => {
      const { runImageBuild } = await import('./commands/image-build.js');
      const format = await import('./format-output.js');
      const reporter = progressFor(options);
      try {
        const result = await runImageBuild({
          packagePath,
          outputDir: options.output,
          tag: options.tag,
          aosHome: env.aosHome,
          sourceDateEpoch: env.sourceDateEpoch,
          ...(options.ca ? { caPaths: options.ca } : {}),
          ...(options.certificate ? { certificatePaths: options.certificate } : {}),
          onProgress: (bytes) => reporter.update({ phase: 'layer', bytes }),
        });
        reporter.done();
        print(options, result, format.formatImageBuild);
      } catch (error) {
        reporter.done();
        throw error;
      }
    },
  );

  const credentials = program.command('credentials').description('local signing credentials');
  withOutputOptions(
    credentials
      .command('dev')
      .description('create a local dev CA (once) and issue $AOS_HOME/security/aos-user-<role>.p12 for signing')
      .option('--org <name>', 'organization (subject O)', 'OpenAos Dev')
      .addOption(new Option('--role <role>', 'user role').choices(['sp', 'oem']).default('sp'))
      .option('--cn <name>', 'common name (subject CN)')
      .option('--force', 'replace an existing credential file'),
  ).action(async (options: OutputOptions & { org: string; role: 'sp' | 'oem'; cn?: string; force?: boolean }) => {
    const { runCredentialsDev } = await import('./commands/credentials-dev.js');
    const format = await import('./format-output.js');
    const result = await runCredentialsDev({
      aosHome: env.aosHome,
      organization: options.org,
      role: options.role,
      ...(options.cn ? { commonName: options.cn } : {}),
      ...(options.force ? { force: true } : {}),
    });
    print(options, result, format.formatDevCredentials);
  });
  withOutputOptions(
    credentials
      .command('show')
      .argument('[p12]', 'credential file (default $AOS_HOME/security/aos-user-<role>.p12)')
      .description('print subject, issuer, key id and validity of a credential')
      .addOption(new Option('--role <role>', 'which default credential').choices(['sp', 'oem']).default('sp')),
    false,
  ).action(async (path: string | undefined, options: OutputOptions & { role: 'sp' | 'oem' }) => {
    const { runCredentialsShow } = await import('./commands/credentials-show.js');
    const format = await import('./format-output.js');
    const result = await runCredentialsShow({ aosHome: env.aosHome, role: options.role, ...(path ? { path } : {}) });
    print(options, result, format.formatShowCredentials);
  });

  registerCloudCommands(program, context);
  groupCommandsForHelp(program);
  return program;
}

/**
 * Run the command line and return the exit code (never calls process.exit, never throws):
 * errors print `aos: <action>: <message>` and a hint on stderr (with --json, also a JSON
 * error document on stdout).
 */
export async function runCli(argv: string[], io: CliIo, env: CliEnvironment): Promise<number> {
  const state = { exitCode: EXIT_CODES.ok as number };
  const program = createProgram(io, env, state);
  // Name the command being run, for errors that do not say what was being done themselves.
  let running = 'aos';
  program.hook('preAction', (_program, actionCommand) => {
    const names: string[] = [];
    for (let command: Command | null = actionCommand; command?.parent; command = command.parent)
      names.unshift(command.name());
    running = `running \`aos ${names.join(' ')}\``;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (caught) {
    if (caught instanceof CommanderError) {
      // Help and --version exit 0; everything else commander rejects is a usage error.
      return caught.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    const error =
      caught instanceof CliError
        ? caught
        : new CliError('failed', running, caught instanceof Error ? caught.message : String(caught), {
            cause: caught,
            hint: 'this was not expected; run again with AOS_DEBUG=1 for details and report it',
          });
    const format = await import('./format-output.js');
    if (argv.includes('--json')) io.stdout.write(`${JSON.stringify(format.errorJson(error), null, 2)}\n`);
    io.stderr.write(`${format.formatError(error, env.debug)}\n`);
    return exitCodeOf(error.code);
  }
}
