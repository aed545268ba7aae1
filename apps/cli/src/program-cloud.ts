import { Option, type Command } from 'commander';
import { collect, withOutputOptions, type CommandContext, type OutputOptions } from './command-context.js';
import type { CloudTargetOptions } from './cloud/cloud-settings.js';
import { registerAlertsCommands } from './commands/alerts.js';
import { cloudCommand, cloudTarget, type CloudFlags } from './cloud-command.js';
import { registerMetricsCommand } from './commands/metrics.js';
import { registerAdminCommands } from './program-admin.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerStateCommands } from './commands/state.js';
import { registerRolloutCommands } from './rollout-commands.js';
import { formatProvisioningToken, formatRevokedUnit, formatStatus } from './format-status.js';
import { trackBuildProgress } from './progress.js';

// Each command's code (with the cloud client and credentials) and output formats are imported
// when the command runs (see program.ts).

/**
 * The commands that talk to an OpenAos cloud (its HTTP contract: `@openaos/protocol` `http-contract.ts`): every request
 * is signed with the user's PKCS#12 (no passwords, no stored tokens).
 */
export function registerCloudCommands(program: Command, context: CommandContext): void {
  const { print, env } = context;
  const target = (flags: CloudFlags): CloudTargetOptions => cloudTarget(context, flags);
  const uploadProgress = (flags: OutputOptions) => {
    const reporter = context.progressFor(flags);
    return {
      reporter,
      onProgress: (sent: number, total: number) => reporter.update({ phase: 'upload', bytes: sent, totalBytes: total }),
    };
  };

  withOutputOptions(
    program
      .command('login')
      .description('check the cloud accepts your credential and remember its address ($AOS_HOME/cloud.json)')
      .requiredOption('--url <url>', 'cloud address, e.g. http://localhost:3000')
      .option(
        '--pkcs12 <file>',
        'remember and use this credential (default: $AOS_HOME/security/aos-user-sp.p12, else -oem)',
      ),
    false,
  ).action(async (flags: CloudFlags & { url: string }) => {
    const { runLogin } = await import('./commands/login.js');
    const format = await import('./format-cloud.js');
    print(
      flags,
      await runLogin({ aosHome: env.aosHome, url: flags.url, ...(flags.pkcs12 ? { pkcs12: flags.pkcs12 } : {}) }),
      format.formatLogin,
    );
  });

  registerLogsCommand(program, context);

  const service = program.command('service').description('services in the cloud (SP)');
  cloudCommand(
    service
      .command('create')
      .description('create a service; prints the Service ID for publish.service_uid')
      .requiredOption('--title <title>', 'service title')
      .option('--description <text>', 'description'),
  ).action(async (flags: CloudFlags & { title: string; description?: string }) => {
    const { runServiceCreate } = await import('./commands/service.js');
    const format = await import('./format-cloud.js');
    const result = await runServiceCreate({
      ...target(flags),
      title: flags.title,
      ...(flags.description ? { description: flags.description } : {}),
    });
    print(flags, result, format.formatService);
  });
  cloudCommand(service.command('list').description('list your services')).action(async (flags: CloudFlags) => {
    const { runServiceList } = await import('./commands/service.js');
    const format = await import('./format-cloud.js');
    print(flags, await runServiceList(target(flags)), format.formatServiceList);
  });
  cloudCommand(
    service.command('show').argument('<id>', 'Service ID').description('a service with its versions'),
  ).action(async (id: string, flags: CloudFlags) => {
    const { runServiceShow } = await import('./commands/service.js');
    const format = await import('./format-cloud.js');
    print(flags, await runServiceShow({ ...target(flags), id }), format.formatService);
  });

  cloudCommand(
    program
      .command('upload')
      .description('upload the signed package (service, version from meta/config.yaml), as aos-signer does')
      .option('-C, --directory <dir>', 'the service folder (parent of meta/)')
      .option('--config <path>', 'the config file (default <dir>/meta/config.yaml)')
      .option('-f, --file <package>', 'the package (default where `aos sign` writes it)'),
    true,
  ).action(async (flags: CloudFlags & { directory?: string; config?: string; file?: string }) => {
    const { runUpload } = await import('./commands/upload.js');
    const format = await import('./format-cloud.js');
    const { reporter, onProgress } = uploadProgress(flags);
    try {
      const result = await runUpload({
        ...target(flags),
        ...(flags.directory ? { directory: flags.directory } : {}),
        ...(flags.config ? { configPath: flags.config } : {}),
        ...(flags.file ? { file: flags.file } : {}),
        onProgress,
      });
      reporter.done();
      print(flags, result, format.formatUpload);
    } catch (error) {
      reporter.done();
      throw error;
    }
  });

  withOutputOptions(
    program
      .command('go')
      .description('sign, then upload (aos-signer go)')
      .option('-C, --directory <dir>', 'the service folder (parent of meta/)')
      .option('-p, --pkcs12 <file>', 'sign and authenticate with this PKCS#12')
      .option('--url <url>', 'cloud address (default: AOS_CLOUD_URL, else the one `aos login` saved)'),
  ).action(async (flags: CloudFlags & { directory?: string }) => {
    const { runGo } = await import('./commands/go.js');
    const format = await import('./format-cloud.js');
    const signReporter = context.progressFor(flags);
    const onSignProgress = trackBuildProgress(signReporter);
    const { reporter, onProgress } = uploadProgress(flags);
    try {
      const result = await runGo({
        ...target(flags),
        ...(flags.directory ? { directory: flags.directory } : {}),
        signedAt: env.sourceDateEpoch,
        onSignProgress,
        onUploadProgress: (sent, total) => {
          signReporter.done();
          onProgress(sent, total);
        },
      });
      reporter.done();
      print(flags, result, format.formatGo);
    } catch (error) {
      signReporter.done();
      reporter.done();
      throw error;
    }
  });

  const version = program.command('version').description('uploaded versions of a service');
  cloudCommand(
    version.command('list').argument('<serviceId>', 'Service ID').description('versions, newest first'),
  ).action(async (serviceId: string, flags: CloudFlags) => {
    const { runVersionList } = await import('./commands/version.js');
    const format = await import('./format-cloud.js');
    print(flags, await runVersionList({ ...target(flags), serviceId }), format.formatVersionList);
  });
  cloudCommand(
    version
      .command('approve')
      .argument('<id>', 'version ID (from `aos version list`)')
      .description('approve a ready version for the fleet (OEM)'),
  ).action(async (id: string, flags: CloudFlags) => {
    const { runVersionApprove } = await import('./commands/version.js');
    const format = await import('./format-cloud.js');
    print(flags, await runVersionApprove({ ...target(flags), id }), format.formatVersionApproved);
  });

  const unit = program.command('unit').description('units (OEM)');
  cloudCommand(unit.command('list').description('list units')).action(async (flags: CloudFlags) => {
    const { runUnitList } = await import('./commands/unit.js');
    const format = await import('./format-cloud.js');
    print(flags, await runUnitList(target(flags)), format.formatUnitList);
  });
  cloudCommand(unit.command('show').argument('<id>', 'unit ID')).action(async (id: string, flags: CloudFlags) => {
    const { runUnitShow } = await import('./commands/unit.js');
    const format = await import('./format-cloud.js');
    print(flags, await runUnitShow({ ...target(flags), id }), (found) => format.formatUnit(found));
  });
  cloudCommand(
    unit
      .command('create')
      .description('register a unit by its system ID')
      .requiredOption('--system-id <id>', "the unit's system ID")
      .requiredOption('--model <model>', 'unit model'),
  ).action(async (flags: CloudFlags & { systemId: string; model: string }) => {
    const { runUnitCreate } = await import('./commands/unit.js');
    const format = await import('./format-cloud.js');
    print(flags, await runUnitCreate({ ...target(flags), systemId: flags.systemId, model: flags.model }), (created) =>
      format.formatUnit(created, 'Registered unit'),
    );
  });
  cloudCommand(unit.command('remove').argument('<id>', 'unit ID')).action(async (id: string, flags: CloudFlags) => {
    const { runUnitRemove } = await import('./commands/unit.js');
    print(flags, await runUnitRemove({ ...target(flags), id }), (removed) => `Removed unit ${removed.id}`);
  });
  cloudCommand(
    unit
      .command('provision-token')
      .argument('<systemId>', "the unit's system ID (or unit ID)")
      .description('a one-time provisioning token and the command to run on the device')
      .option('--ttl <duration>', 'how long the token works: 90s, 30m, 1h, 7d (1 minute to 7 days)', '1h'),
  ).action(async (systemId: string, flags: CloudFlags & { ttl: string }) => {
    const { parseTtl, runUnitProvisionToken } = await import('./commands/unit-channel.js');
    const ttlSeconds = parseTtl(flags.ttl, `creating a provisioning token for unit ${systemId}`);
    print(
      flags,
      await runUnitProvisionToken({ ...target(flags), unit: systemId, ttlSeconds }),
      formatProvisioningToken,
    );
  });
  cloudCommand(
    unit
      .command('revoke')
      .argument('<systemId>', "the unit's system ID (or unit ID)")
      .description('cut a unit off from the cloud until it is provisioned again')
      .option('--yes', 'confirm (required)'),
  ).action(async (systemId: string, flags: CloudFlags & { yes?: boolean }) => {
    const { runUnitRevoke } = await import('./commands/unit-channel.js');
    print(flags, await runUnitRevoke({ ...target(flags), unit: systemId, yes: flags.yes === true }), formatRevokedUnit);
  });

  cloudCommand(
    program
      .command('status')
      .description(
        "the fleet at a glance; one unit's services and instances with reasons (--unit); per version on how many units a service is desired, installed, active, failed (--service)",
      )
      .option('--unit <systemId>', "one unit's status (system ID or unit ID; OEM)")
      .option('--service <id>', "one service's per-version counts (Service ID)"),
  ).action(async (flags: CloudFlags & { unit?: string; service?: string }) => {
    const { runStatus } = await import('./commands/unit-channel.js');
    const result = await runStatus({
      ...target(flags),
      ...(flags.unit ? { unit: flags.unit } : {}),
      ...(flags.service ? { serviceId: flags.service } : {}),
    });
    print(flags, result, formatStatus);
  });

  registerMetricsCommand(program, context);

  const unitSet = program.command('unit-set').description('unit sets (OEM)');
  cloudCommand(unitSet.command('list').description('list unit sets')).action(async (flags: CloudFlags) => {
    const { runUnitSetList } = await import('./commands/unit-set.js');
    const format = await import('./format-cloud.js');
    print(flags, await runUnitSetList(target(flags)), format.formatUnitSetList);
  });
  cloudCommand(unitSet.command('show').argument('<id>', 'unit set ID')).action(
    async (id: string, flags: CloudFlags) => {
      const { runUnitSetShow } = await import('./commands/unit-set.js');
      const format = await import('./format-cloud.js');
      print(flags, await runUnitSetShow({ ...target(flags), id }), (set) => format.formatUnitSet(set));
    },
  );
  cloudCommand(
    unitSet
      .command('create')
      .requiredOption('--name <name>', 'unit set name')
      .option(
        '--verification',
        'a verification set: its units get the newest ready-or-approved version (others wait for approval)',
      ),
  ).action(async (flags: CloudFlags & { name: string; verification?: boolean }) => {
    const { runUnitSetCreate } = await import('./commands/unit-set.js');
    const format = await import('./format-cloud.js');
    const result = await runUnitSetCreate({
      ...target(flags),
      name: flags.name,
      ...(flags.verification ? { isVerificationSet: true } : {}),
    });
    print(flags, result, (set) => format.formatUnitSet(set, 'Created unit set'));
  });
  for (const [name, run] of [
    ['add-units', 'runUnitSetAddUnits'],
    ['remove-units', 'runUnitSetRemoveUnits'],
  ] as const) {
    cloudCommand(unitSet.command(name).argument('<id>', 'unit set ID').argument('<unitIds...>', 'unit IDs')).action(
      async (id: string, unitIds: string[], flags: CloudFlags) => {
        const format = await import('./format-cloud.js');
        const units = `${unitIds.length} unit${unitIds.length === 1 ? '' : 's'}`;
        const heading = name === 'add-units' ? `Added ${units} to unit set` : `Removed ${units} from unit set`;
        print(flags, await (await import('./commands/unit-set.js'))[run]({ ...target(flags), id, unitIds }), (set) =>
          format.formatUnitSet(set, heading),
        );
      },
    );
  }

  const subject = program.command('subject').description('subjects: bind services to units and unit sets (OEM)');
  cloudCommand(subject.command('list').description('list subjects')).action(async (flags: CloudFlags) => {
    const { runSubjectList } = await import('./commands/subject.js');
    const format = await import('./format-cloud.js');
    print(flags, await runSubjectList(target(flags)), format.formatSubjectList);
  });
  cloudCommand(subject.command('show').argument('<id>', 'subject ID')).action(async (id: string, flags: CloudFlags) => {
    const { runSubjectShow } = await import('./commands/subject.js');
    const format = await import('./format-cloud.js');
    print(flags, await runSubjectShow({ ...target(flags), id }), (found) => format.formatSubject(found));
  });
  cloudCommand(
    subject
      .command('create')
      .requiredOption('--name <name>', 'subject name')
      .addOption(new Option('--type <type>', 'subject type').choices(['group', 'user'])),
  ).action(async (flags: CloudFlags & { name: string; type?: 'group' | 'user' }) => {
    const { runSubjectCreate } = await import('./commands/subject.js');
    const format = await import('./format-cloud.js');
    print(
      flags,
      await runSubjectCreate({ ...target(flags), name: flags.name, ...(flags.type ? { type: flags.type } : {}) }),
      (created) => format.formatSubject(created, 'Created subject'),
    );
  });
  for (const verb of ['bind', 'unbind'] as const) {
    cloudCommand(
      subject
        .command(verb)
        .argument('<id>', 'subject ID')
        .description(`${verb} services, units and unit sets`)
        .option('--service <id>', 'Service ID (repeatable)', collect)
        .option('--unit <id>', 'unit ID (repeatable)', collect)
        .option('--unit-set <id>', 'unit set ID (repeatable)', collect),
    ).action(async (id: string, flags: CloudFlags & { service?: string[]; unit?: string[]; unitSet?: string[] }) => {
      const { runSubjectBind } = await import('./commands/subject.js');
      const format = await import('./format-cloud.js');
      const result = await runSubjectBind({
        ...target(flags),
        id,
        unbind: verb === 'unbind',
        ...(flags.service ? { serviceIds: flags.service } : {}),
        ...(flags.unit ? { unitIds: flags.unit } : {}),
        ...(flags.unitSet ? { unitSetIds: flags.unitSet } : {}),
      });
      print(flags, result, (bound) =>
        format.formatSubject(bound, verb === 'bind' ? 'Bound subject' : 'Unbound subject'),
      );
    });
  }
  registerAlertsCommands(program, context);
  registerStateCommands(program, context);
  registerAdminCommands(program, context);
  registerRolloutCommands(program, context);
}
