import type { Command } from 'commander';
import { withOutputOptions, type CommandContext, type OutputOptions } from './command-context.js';
import type { CloudTargetOptions } from './cloud/cloud-settings.js';

export interface CloudFlags extends OutputOptions {
  url?: string;
  pkcs12?: string;
}

/** --url and --pkcs12 on every cloud command, plus --json. */
export function cloudCommand(command: Command, quiet = false): Command {
  return withOutputOptions(command, quiet)
    .option('--url <url>', 'cloud address (default: AOS_CLOUD_URL, else the one `aos login` saved)')
    .option('--pkcs12 <file>', 'authenticate with this credential (default: $AOS_HOME/security/aos-user-<sp|oem>.p12)');
}

/** Where a cloud command goes and as whom: its flags over the environment. */
export function cloudTarget(context: Pick<CommandContext, 'env'>, flags: CloudFlags): CloudTargetOptions {
  const { env } = context;
  return {
    aosHome: env.aosHome,
    ...((flags.url ?? env.cloudUrl) ? { url: flags.url ?? env.cloudUrl } : {}),
    ...(flags.pkcs12 ? { pkcs12: flags.pkcs12 } : {}),
  };
}
