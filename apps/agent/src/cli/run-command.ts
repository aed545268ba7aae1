import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, type AgentOptions } from '../agent.js';

/**
 * `aos-agent run`: open the agent on its storage and reconcile until SIGTERM/SIGINT. The
 * daemon re-reads target.json on every pass (written by `aos-agent apply`). Containers keep
 * running when it stops; the next start re-adopts them.
 */
export async function runDaemon(options: AgentOptions): Promise<void> {
  const agent = await Agent.open(options);
  const stop = () => agent.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const pidFile = join(agent.paths.agent, 'daemon.pid');
  await writeFile(pidFile, String(process.pid));
  options.log?.(`agent running on ${agent.paths.root}`);
  await agent.run();
  await rm(pidFile, { force: true });
}
