import type { Command } from 'commander';
import { collect, type CommandContext } from './command-context.js';
import type { RolloutPlanFlags } from './commands/rollout.js';
import { formatRollout, formatRolloutList, formatRollouts } from './format-rollout.js';
import { cloudCommand, cloudTarget, type CloudFlags } from './cloud-command.js';

/** `aos rollout start|list|show|pause|resume|abort` (docs/rollouts.md). */
export function registerRolloutCommands(program: Command, context: CommandContext): void {
  const { print } = context;
  const target = (flags: CloudFlags) => cloudTarget(context, flags);
  const rollout = program
    .command('rollout')
    .description('staged rollouts of a version to the units of a subject (OEM)');
  cloudCommand(
    rollout
      .command('start')
      .argument('<versionId>', 'the version to roll out (ready or approved; a ready one is approved)')
      .description('start a rollout in waves gated by health, stopped by a failure threshold')
      .option(
        '--subject <id>',
        'a subject to roll out on (repeatable; default: every subject of yours binding the service)',
        collect,
      )
      .option('--waves <sizes>', 'cumulative wave sizes: percentages or unit counts (default 1%,10%,50%,100%)')
      .option('--soak <duration>', "how long a wave's units must stay active before the next wave (default 5m)")
      .option('--min-healthy <count>', 'active units a wave needs before the next starts (default 1)')
      .option('--threshold <percent>', 'failed share of the finished units that stops the rollout (default 10%)')
      .option('--min-units <count>', 'finished units before the threshold applies (default 1)')
      .option('--on-failure <action>', 'pause, or abort and revert the updated units (default pause)')
      .option('--offline-timeout <duration>', 'an offline unit is pending this long, then failed (default 1h)')
      .option(
        '--active-timeout <duration>',
        'an online unit not active on the version this long is failed (default 30m)',
      )
      .option('--supersede', 'replace the active rollout of the service on the subject'),
  ).action(
    async (versionId: string, flags: CloudFlags & RolloutPlanFlags & { subject?: string[]; supersede?: boolean }) => {
      const { parsePlanFlags, runRolloutStart } = await import('./commands/rollout.js');
      const plan = parsePlanFlags(flags, `starting a rollout of version ${versionId}`);
      const started = await runRolloutStart({
        ...target(flags),
        versionId,
        plan,
        ...(flags.subject && { subjectIds: flags.subject }),
        ...(flags.supersede && { supersede: true }),
      });
      print(flags, started, formatRollouts);
    },
  );
  cloudCommand(
    rollout
      .command('list')
      .description('rollouts, newest first')
      .option('--service <id>', "one service's rollouts (Service ID)")
      .option('--active', 'only running or paused rollouts'),
  ).action(async (flags: CloudFlags & { service?: string; active?: boolean }) => {
    const { runRolloutList } = await import('./commands/rollout.js');
    print(
      flags,
      await runRolloutList({
        ...target(flags),
        ...(flags.service && { serviceId: flags.service }),
        isActive: flags.active === true,
      }),
      formatRolloutList,
    );
  });
  cloudCommand(
    rollout
      .command('show')
      .argument('<id>', 'rollout ID')
      .description('waves, unit counts per state and every decision with its reason'),
  ).action(async (id: string, flags: CloudFlags) => {
    const { runRolloutShow } = await import('./commands/rollout.js');
    print(flags, await runRolloutShow({ ...target(flags), id }), formatRollout);
  });
  for (const [command, description] of [
    ['pause', 'hold the rollout in its wave (units keep what they have)'],
    ['resume', 'continue a paused rollout (the failures so far are accepted)'],
    ['abort', 'stop the rollout and send its updated units back to the version each had'],
  ] as const) {
    cloudCommand(
      rollout
        .command(command)
        .argument('<id>', 'rollout ID')
        .description(description)
        .option('--reason <text>', 'why, recorded in the rollout history'),
    ).action(async (id: string, flags: CloudFlags & { reason?: string }) => {
      const { runRolloutControl } = await import('./commands/rollout.js');
      print(
        flags,
        await runRolloutControl({ ...target(flags), id, command, ...(flags.reason && { reason: flags.reason }) }),
        formatRollout,
      );
    });
  }
}
