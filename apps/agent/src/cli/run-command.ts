import { rm, writeFile } from 'node:fs/promises';
import { Agent } from '../agent.js';
import type { AgentOptions } from '../agent-options.js';

/**
 * `aos-agent run`: open the agent on its storage and reconcile until SIGTERM/SIGINT. Each pass
 * first accepts the desired statuses `aos-agent apply` put in the inbox. Containers keep
 * running when it stops; the next start re-adopts them.
 */
export async function runDaemon(options: AgentOptions): Promise<void> {
  const agent = await Agent.open(options);
  const stop = () => agent.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const pidFile = agent.files.daemonPid;
  await writeFile(pidFile, String(process.pid));
  options.log?.(`agent running on ${agent.paths.root}`);
  await agent.run();
  await rm(pidFile, { force: true });
}
