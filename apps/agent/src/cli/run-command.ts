import { rm, writeFile } from 'node:fs/promises';
import { Agent } from '../agent.js';
import type { AgentOptions } from '../agent-options.js';
import { AgentError, describeError } from '../errors.js';
import { defaultIdentityDirectory, hasIdentity } from '../link/identity-paths.js';
import { AgentLogFile, agentLogPath } from '../logs/agent-log-file.js';

export interface DaemonOptions extends AgentOptions {
  /** Overrides the cloud URL stored at provisioning. */
  cloudUrl?: string;
  /** Default `<storage-dir>-identity`. */
  identityDir?: string;
  /** How often the cloud link sends monitoring data (default 60 s). */
  monitoringPeriodMs?: number;
  /** Monitoring samples held while the cloud is away (default 10 000). */
  monitoringBufferSamples?: number;
}

/**
 * `aos-agent run`: open the agent on its storage and reconcile until SIGTERM/SIGINT. Each pass
 * first accepts the desired statuses `aos-agent apply` put in the inbox. When the unit is
 * provisioned (an identity exists) the cloud link runs beside it. Containers keep running when it
 * stops; the next start re-adopts them.
 */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const {
    cloudUrl,
    identityDir: givenIdentityDir,
    monitoringPeriodMs,
    monitoringBufferSamples,
    ...agentOptions
  } = options;
  const identityDir = givenIdentityDir ?? defaultIdentityDirectory(options.storageDir);
  const isProvisioned = await hasIdentity(identityDir);
  if (cloudUrl && !isProvisioned)
    throw new AgentError(
      'no-identity',
      `--cloud ${cloudUrl}: this unit is not provisioned (no identity in ${identityDir}); run aos-agent provision --cloud ${cloudUrl} --token <token> first`,
    );
  // The daemon's log also goes to its file on the storage (what a cloud's systemLog request reads), once it is open.
  const sink: { file?: AgentLogFile } = {};
  const log = (message: string) => {
    options.log?.(message);
    sink.file?.write(message);
  };
  const agent = await Agent.open({ ...agentOptions, log });
  sink.file = new AgentLogFile(agentLogPath(agent.paths));
  // Loaded only on a provisioned unit: the link's code (ws, pki) stays out of a local-only daemon.
  // A damaged identity must not stop the agent from running its services: it is logged, and the
  // daemon runs without the link.
  const link = isProvisioned
    ? await import('../link/start-link.js')
        .then(({ startLink }) =>
          startLink(agent, identityDir, cloudUrl, log, {
            ...(monitoringPeriodMs ? { monitoringPeriodMs } : {}),
            ...(monitoringBufferSamples ? { monitoringBufferSamples } : {}),
          }),
        )
        .catch((error: unknown) => {
          log(`cloud link not started: ${describeError(error)}`);
          return undefined;
        })
    : undefined;
  const stop = () => {
    agent.stop();
    void link?.stop();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const pidFile = agent.files.daemonPid;
  await writeFile(pidFile, String(process.pid));
  log(`agent running on ${agent.paths.root}`);
  await agent.run();
  await link?.stop();
  await rm(pidFile, { force: true });
}
