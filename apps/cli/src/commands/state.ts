import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CloudOutputs } from '../cloud/cloud-client.js';
import type { CloudTargetOptions } from '../cloud/cloud-settings.js';
import { withOutputOptions, type CommandContext, type OutputOptions } from '../command-context.js';
import { CliError } from '../errors.js';

export type InstanceState = CloudOutputs['state']['get'];

export interface StateOptions extends CloudTargetOptions {
  serviceId: string;
  unit: string;
  instance?: number;
  subjectId?: string;
}

const describeInstance = (options: StateOptions) =>
  `instance ${options.instance ?? 0} of service ${options.serviceId} on unit ${options.unit}`;

/** `aos state get`: the state (state.dat) the cloud holds for one instance. */
export async function runStateGet(options: StateOptions): Promise<InstanceState> {
  // The cloud client and credentials load here, not when the command line is defined.
  const { callCloud, createCloudClient } = await import('../cloud/cloud-client.js');
  const { resolveCloudTarget } = await import('../cloud/cloud-settings.js');
  const action = `reading the state of ${describeInstance(options)}`;
  const target = await resolveCloudTarget({ ...options, role: options.role ?? 'sp' }, action);
  return callCloud(action, target.url, () =>
    createCloudClient(target).state.get.query({
      serviceId: options.serviceId,
      unit: options.unit,
      instance: options.instance ?? 0,
      ...(options.subjectId ? { subjectId: options.subjectId } : {}),
    }),
  );
}

/** `aos state set`: replace an instance's state with a file's content; the unit gets it with updateState. */
export async function runStateSet(options: StateOptions & { file: string }): Promise<InstanceState> {
  // The cloud client and credentials load here, not when the command line is defined.
  const { callCloud, createCloudClient } = await import('../cloud/cloud-client.js');
  const { resolveCloudTarget } = await import('../cloud/cloud-settings.js');
  const action = `setting the state of ${describeInstance(options)}`;
  const content = await readFile(options.file, 'utf8').catch((error: unknown) => {
    throw new CliError('not-found', action, `cannot read ${options.file}: ${(error as Error).message}`, {
      hint: 'give --file <path> of the state to send (a text file, at most the service’s state quota)',
      cause: error,
    });
  });
  const target = await resolveCloudTarget({ ...options, role: 'sp' }, action);
  return callCloud(action, target.url, () =>
    createCloudClient(target).state.set.mutate({
      serviceId: options.serviceId,
      unit: options.unit,
      instance: options.instance ?? 0,
      ...(options.subjectId ? { subjectId: options.subjectId } : {}),
      content,
    }),
  );
}

export function formatState(state: InstanceState): string {
  const where = `instance ${state.instance} (subject ${state.subjectId}) on unit ${state.unit.systemId}`;
  if (state.content === null) return `The cloud holds no state for ${where} yet.`;
  const from = state.source === 'cloud' ? 'set in the cloud' : 'sent by the unit';
  const delivery = state.isDelivered === false ? '; the unit has not taken it yet (it will when connected)' : '';
  return `State of ${where}: ${state.size} bytes, ${from} ${state.updatedAt}${delivery}\nchecksum ${state.checksum}\n---\n${state.content}`;
}

interface StateFlags extends OutputOptions {
  url?: string;
  pkcs12?: string;
  unit: string;
  instance?: string;
  subject?: string;
  file?: string;
}

/** `aos state get|set`. */
export function registerStateCommands(program: Command, context: CommandContext): void {
  const state = program.command('state').description("instances' state (state.dat) kept in the cloud (SP)");
  const common = (command: Command) =>
    withOutputOptions(command)
      .requiredOption('--unit <systemId>', 'the unit running the instance (system ID)')
      .option('--instance <n>', 'instance index (default 0)')
      .option('--subject <id>', 'the subject, when the unit runs the instance for several')
      .option('--url <url>', 'cloud address (default: AOS_CLOUD_URL, else the one `aos login` saved)')
      .option('--pkcs12 <file>', 'authenticate with this credential (default: $AOS_HOME/security/aos-user-sp.p12)');
  const optionsOf = (serviceId: string, flags: StateFlags, action: string): StateOptions => {
    const instance = flags.instance === undefined ? 0 : Number(flags.instance);
    if (!Number.isInteger(instance) || instance < 0)
      throw new CliError('usage', action, `--instance ${flags.instance} is not an instance index`, {
        hint: 'give a whole number from 0 (see `aos status --unit <systemId>`)',
      });
    return {
      aosHome: context.env.aosHome,
      ...((flags.url ?? context.env.cloudUrl) ? { url: flags.url ?? context.env.cloudUrl } : {}),
      ...(flags.pkcs12 ? { pkcs12: flags.pkcs12 } : {}),
      serviceId,
      unit: flags.unit,
      instance,
      ...(flags.subject ? { subjectId: flags.subject } : {}),
    };
  };
  common(state.command('get <serviceId>').description("print the instance's state as the cloud keeps it")).action(
    async (serviceId: string, flags: StateFlags) => {
      context.print(flags, await runStateGet(optionsOf(serviceId, flags, 'reading a state')), formatState);
    },
  );
  common(
    state
      .command('set <serviceId>')
      .description("replace the instance's state; the unit gets it now, or when it next connects")
      .requiredOption('--file <path>', 'the new state'),
  ).action(async (serviceId: string, flags: StateFlags & { file: string }) => {
    const options = optionsOf(serviceId, flags, 'setting a state');
    context.print(flags, await runStateSet({ ...options, file: flags.file }), formatState);
  });
}
