import { Option, type Command } from 'commander';
import { withOutputOptions, type CommandContext, type OutputOptions } from './command-context.js';
import type { AdminTargetOptions } from './commands/admin.js';

interface AdminFlags extends OutputOptions {
  url?: string;
  pkcs12?: string;
}

function adminCommand(command: Command): Command {
  return withOutputOptions(command)
    .option('--url <url>', 'cloud address (default: AOS_CLOUD_URL, else the one `aos login` saved)')
    .option('--pkcs12 <file>', "the admin's credential (default: $AOS_HOME/security/aos-user-admin.p12)");
}

/** `aos admin …`: organisations, users and their credentials (the console's "Admin" page). */
export function registerAdminCommands(program: Command, context: CommandContext): void {
  const { print, env } = context;
  const target = (flags: AdminFlags): AdminTargetOptions => ({
    aosHome: env.aosHome,
    ...((flags.url ?? env.cloudUrl) ? { url: flags.url ?? env.cloudUrl } : {}),
    ...(flags.pkcs12 ? { pkcs12: flags.pkcs12 } : {}),
  });
  const admin = program
    .command('admin')
    .description('run the installation: organisations, users and their credentials (admin)');

  withOutputOptions(
    admin
      .command('credential')
      .description(
        "sign in with email and password once and save that user's credential ($AOS_HOME/security/aos-user-<role>.p12)",
      )
      .requiredOption('--email <email>', 'who signs in (the first admin is "admin")')
      .requiredOption('--password-file <file>', "a file holding the password, or '-' for stdin")
      .option('--url <url>', 'cloud address (default: AOS_CLOUD_URL, else the one `aos login` saved)')
      .option('-o, --output <file>', 'write the credential here instead'),
  ).action(async (flags: OutputOptions & { email: string; passwordFile: string; url?: string; output?: string }) => {
    const { runAdminCredential } = await import('./commands/admin.js');
    const format = await import('./format-admin.js');
    const result = await runAdminCredential({
      aosHome: env.aosHome,
      email: flags.email,
      passwordFile: flags.passwordFile,
      ...((flags.url ?? env.cloudUrl) ? { url: flags.url ?? env.cloudUrl } : {}),
      ...(flags.output ? { output: flags.output } : {}),
    });
    print(flags, result, format.formatIssuedCredential);
  });

  const organisation = admin.command('organisation').description('SP and OEM organisations');
  adminCommand(organisation.command('list').description('every organisation')).action(async (flags: AdminFlags) => {
    const { runOrganisationList } = await import('./commands/admin.js');
    const format = await import('./format-admin.js');
    print(flags, await runOrganisationList(target(flags)), format.formatOrganisationList);
  });
  adminCommand(
    organisation
      .command('create')
      .description('create an organisation of service providers (sp) or device owners (oem)')
      .requiredOption('--name <name>', 'organisation name (unique)')
      .addOption(new Option('--kind <kind>', 'sp or oem').choices(['sp', 'oem']).makeOptionMandatory()),
  ).action(async (flags: AdminFlags & { name: string; kind: 'sp' | 'oem' }) => {
    const { runOrganisationCreate } = await import('./commands/admin.js');
    const format = await import('./format-admin.js');
    print(
      flags,
      await runOrganisationCreate({ ...target(flags), name: flags.name, kind: flags.kind }),
      format.formatOrganisation,
    );
  });

  const user = admin.command('user').description('users: SP, OEM and admins');
  adminCommand(user.command('list').description('every user')).action(async (flags: AdminFlags) => {
    const { runUserList } = await import('./commands/admin.js');
    const format = await import('./format-admin.js');
    print(flags, await runUserList(target(flags)), format.formatUserList);
  });
  adminCommand(
    user
      .command('create')
      .description('create a user; prints a generated initial password once unless --password-file is given')
      .requiredOption('--email <email>', 'sign-in name (unique)')
      .requiredOption('--name <name>', 'display name')
      .addOption(new Option('--role <role>', 'sp, oem or admin').choices(['sp', 'oem', 'admin']).makeOptionMandatory())
      .option('--organisation <id|name>', 'the organisation of an SP or OEM user (same kind as the role)')
      .option('--password-file <file>', "initial password from a file, or '-' for stdin (at least 12 characters)"),
  ).action(
    async (
      flags: AdminFlags & {
        email: string;
        name: string;
        role: 'sp' | 'oem' | 'admin';
        organisation?: string;
        passwordFile?: string;
      },
    ) => {
      const { runUserCreate } = await import('./commands/admin.js');
      const format = await import('./format-admin.js');
      const result = await runUserCreate({
        ...target(flags),
        email: flags.email,
        name: flags.name,
        role: flags.role,
        ...(flags.organisation ? { organisation: flags.organisation } : {}),
        ...(flags.passwordFile ? { passwordFile: flags.passwordFile } : {}),
      });
      print(flags, result, format.formatUserCreate);
    },
  );
  adminCommand(
    user
      .command('deactivate')
      .argument('<user>', 'user ID or email')
      .description('deactivate a user: their sessions end and their credentials stop working at once'),
  ).action(async (userValue: string, flags: AdminFlags) => {
    const { runUserDeactivate } = await import('./commands/admin.js');
    const format = await import('./format-admin.js');
    print(flags, await runUserDeactivate({ ...target(flags), user: userValue }), format.formatUser);
  });
  adminCommand(
    user
      .command('credential')
      .argument('<user>', 'user ID or email')
      .description('issue a credential for a user (the private key is only in the file written; give it to them)')
      .option('-o, --output <file>', 'where to write it (default $AOS_HOME/security/aos-user-<role>.p12)'),
  ).action(async (userValue: string, flags: AdminFlags & { output?: string }) => {
    const { runUserCredential } = await import('./commands/admin.js');
    const format = await import('./format-admin.js');
    const result = await runUserCredential({
      ...target(flags),
      user: userValue,
      ...(flags.output ? { output: flags.output } : {}),
    });
    print(flags, result, format.formatIssuedCredential);
  });
}
