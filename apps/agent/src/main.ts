import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runApply } from './cli/apply-command.js';
import { readInstanceLog } from './cli/logs-command.js';
import { readMonitoringFlags } from './cli/monitoring-flags.js';
import { runDaemon } from './cli/run-command.js';
import { formatStatus, isDaemonRunning, readStatus, readUsage } from './cli/status-command.js';
import { exitOnBrokenPipe } from './cli/exit-on-broken-pipe.js';
import { AgentError, describeError } from './errors.js';
import { describeLinkState, readLinkState } from './link/link-state.js';
import { agentFiles, resolveStoragePaths } from './paths.js';

/** `apply --wait`: a service version did not take (rolled back, not installable, failed). */
const EXIT_UPDATE_FAILED = 2;
/** `provision`: the cloud refused (bad, used or expired token, another unit's token…). */
const EXIT_REFUSED = 3;

const USAGE = `usage:
  aos-agent provision --cloud URL --token TOKEN [--system-id ID] --storage-dir DIR [--identity-dir DIR] [--force] [--json]
  aos-agent run    --storage-dir DIR [--storage-size 512m | --storage-image FILE] [--cgroup-parent /openaos] [--node-id ID]
                   [--cloud URL] [--identity-dir DIR] [--monitoring-period SECONDS] [--monitoring-poll SECONDS]
                   [--monitoring-window SECONDS] [--monitoring-buffer SAMPLES]
                   [--subnet-pool 172.29.0.0/16] [--traffic-period day]
  aos-agent apply  FILE --storage-dir DIR [--wait] [--timeout SECONDS]
  aos-agent status --storage-dir DIR [--json]
  aos-agent logs   SERVICE_ID --storage-dir DIR [--subject ID] [--instance N]

apply --wait returns once the update has settled: each new version committed (its instances
ran for startInterval) or failed (rolled back to the previous version, not installable, or
failing with no version to fall back to; the reason is printed on stderr).
provision makes the unit's key pair, gets its certificate from the cloud with the one-time token
and stores the identity in --identity-dir (default: <storage-dir>-identity, outside the storage
mount); the system ID defaults to /etc/machine-id. A provisioned unit's run connects to the cloud
(--cloud overrides the URL stored at provisioning). Monitoring: the unit is sampled every
--monitoring-poll (default 10 s), each sample the mean over --monitoring-window (AosEdge's
averageWindow, default 3 polls); samples go to the cloud every --monitoring-period (default 60 s),
up to --monitoring-buffer samples (default 10000) held while the cloud is away, oldest dropped first.
exit codes: 0 done (with --wait: committed), 1 error (bad file, daemon not running, --timeout
passed), ${EXIT_UPDATE_FAILED} apply --wait: the update failed, ${EXIT_REFUSED} provision: the cloud refused, 64 usage.`;

const TRAFFIC_PERIODS = ['minute', 'hour', 'day', 'month', 'year'] as const;

/** --subnet-pool and --traffic-period, checked (a bad value is a usage error naming the option). */
function readNetworkOptions(subnetPool: string | undefined, trafficPeriod: string | undefined) {
  if (subnetPool !== undefined && !/^\d+\.\d+\.0\.0\/16$/.test(subnetPool))
    throw new AgentError('bad-target', `--subnet-pool ${subnetPool}: give a /16 such as 172.29.0.0/16`);
  const period = TRAFFIC_PERIODS.find((name) => name === trafficPeriod);
  if (trafficPeriod !== undefined && period === undefined)
    throw new AgentError('bad-target', `--traffic-period ${trafficPeriod}: give one of ${TRAFFIC_PERIODS.join(', ')}`);
  return { ...(subnetPool ? { subnetPool } : {}), ...(period ? { trafficPeriod: period } : {}) };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'storage-dir': { type: 'string', default: '/var/lib/aos-agent' },
      'storage-size': { type: 'string' },
      'storage-image': { type: 'string' },
      'cgroup-parent': { type: 'string' },
      'node-id': { type: 'string' },
      'subnet-pool': { type: 'string' },
      'traffic-period': { type: 'string' },
      cloud: { type: 'string' },
      token: { type: 'string' },
      'system-id': { type: 'string' },
      'identity-dir': { type: 'string' },
      force: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '120' },
      json: { type: 'boolean', default: false },
      subject: { type: 'string' },
      instance: { type: 'string', default: '0' },
      'monitoring-period': { type: 'string' },
      'monitoring-poll': { type: 'string' },
      'monitoring-window': { type: 'string' },
      'monitoring-buffer': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, file] = positionals;
  const storageDir = values['storage-dir'];
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 64;
  }
  switch (command) {
    case 'provision': {
      if (!values.cloud || !values.token) {
        console.error(`aos-agent provision: give --cloud and --token\n${USAGE}`);
        return 64;
      }
      // Loaded here only: the daemon never needs the provisioning code (ws, pki).
      const { runProvision } = await import('./cli/provision-command.js');
      try {
        const result = await runProvision({
          cloudUrl: values.cloud,
          token: values.token,
          storageDir,
          ...(values['system-id'] ? { systemId: values['system-id'] } : {}),
          ...(values['identity-dir'] ? { identityDir: values['identity-dir'] } : {}),
          force: values.force,
          ...(values.json ? {} : { log: (message: string) => console.error(message) }),
        });
        if (values.json) console.log(JSON.stringify(result, null, 2));
        else
          console.log(
            `provisioned unit ${result.systemId} with ${result.cloudUrl}\nidentity: ${result.identityDir} (certificate SHA-256 ${result.fingerprint})\nnext: aos-agent run --storage-dir ${storageDir} (it connects to the cloud by itself)`,
          );
        return 0;
      } catch (error) {
        if (!(error instanceof AgentError && error.code === 'refused')) throw error;
        console.error(`aos-agent provision: ${error.message}`);
        return EXIT_REFUSED;
      }
    }
    case 'run': {
      const monitoring = readMonitoringFlags(values);
      if (typeof monitoring === 'string') {
        console.error(`aos-agent run: ${monitoring}\n${USAGE}`);
        return 64;
      }
      await runDaemon({
        ...monitoring,
        ...(values.cloud ? { cloudUrl: values.cloud } : {}),
        ...(values['identity-dir'] ? { identityDir: values['identity-dir'] } : {}),
        storageDir,
        ...(values['storage-size'] ? { storageSize: values['storage-size'] } : {}),
        ...(values['storage-image'] ? { storageImage: values['storage-image'] } : {}),
        ...(values['cgroup-parent'] ? { cgroupParent: values['cgroup-parent'] } : {}),
        ...(values['node-id'] ? { nodeId: values['node-id'] } : {}),
        network: readNetworkOptions(values['subnet-pool'], values['traffic-period']),
        log: (message) => console.error(`${new Date().toISOString()} ${message}`),
      });
      return 0;
    }
    case 'apply': {
      if (!file) {
        console.error(`aos-agent apply: give the desired-status file\n${USAGE}`);
        return 64;
      }
      const result = await runApply({ file, storageDir, wait: values.wait, timeoutMs: Number(values.timeout) * 1000 });
      if (values.json) console.log(JSON.stringify(result.status ?? result.target, null, 2));
      else if (result.status) process.stdout.write(formatStatus(result.status));
      else
        console.log(
          `target saved: ${result.target.services?.length ?? 0} service(s), ${result.target.instances?.length ?? 0} instance entr(ies)`,
        );
      for (const failure of result.failures ?? [])
        console.error(
          `aos-agent apply: update of ${failure.serviceId} to ${failure.version} failed: ${failure.message}`,
        );
      return (result.failures?.length ?? 0) > 0 ? EXIT_UPDATE_FAILED : 0;
    }
    case 'status': {
      const status = await readStatus(storageDir);
      if (values.json) console.log(JSON.stringify(status, null, 2));
      else {
        if (!(await isDaemonRunning(storageDir)))
          console.log(
            `(the daemon is not running: last known status; start it with aos-agent run --storage-dir ${storageDir})\n`,
          );
        const link = await readLinkState(agentFiles(resolveStoragePaths(resolve(storageDir))).cloudLink);
        if (link) console.log(`${describeLinkState(link)}\n`);
        process.stdout.write(formatStatus(status, await readUsage(storageDir)));
      }
      return 0;
    }
    case 'logs': {
      if (!file) {
        console.error(`aos-agent logs: give the service ID\n${USAGE}`);
        return 64;
      }
      const subjectId =
        values.subject ??
        (await readStatus(storageDir)).instances.find((instance) => instance.serviceId === file)?.subjectId;
      if (!subjectId) {
        console.error(`aos-agent logs: no instance of ${file} in the status; give --subject`);
        return 1;
      }
      process.stdout.write(
        await readInstanceLog({ storageDir, serviceId: file, subjectId, instance: Number(values.instance) }),
      );
      return 0;
    }
    default:
      console.error(`aos-agent: unknown command ${command}\n${USAGE}`);
      return 64;
  }
}

exitOnBrokenPipe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`aos-agent: ${describeError(error)}`);
    process.exitCode = 1;
  },
);
