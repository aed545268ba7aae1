import type { Command } from 'commander';

/**
 * `aos --help` lists commands under the headings docs/cli.md uses. A command not named here
 * (one added later) stays under commander's default "Commands:" heading rather than vanishing.
 */
export const HELP_GROUPS: readonly { heading: string; commands: readonly string[] }[] = [
  { heading: 'Package a service (local):', commands: ['init', 'validate', 'sign', 'inspect', 'image', 'credentials'] },
  { heading: 'Publish (SP):', commands: ['login', 'service', 'upload', 'go', 'version'] },
  { heading: 'Fleet (OEM):', commands: ['unit', 'unit-set', 'subject', 'status', 'rollout'] },
  { heading: 'Watch (SP and OEM):', commands: ['logs', 'metrics', 'alerts', 'state'] },
  { heading: 'Administration (admin):', commands: ['admin'] },
];

/** Put each top-level command of `program` under its heading. Call after every command is registered. */
export function groupCommandsForHelp(program: Command): void {
  for (const group of HELP_GROUPS) {
    for (const name of group.commands)
      program.commands.find((command) => command.name() === name)?.helpGroup(group.heading);
  }
}
