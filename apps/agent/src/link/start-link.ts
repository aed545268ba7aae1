import type { Agent } from '../agent.js';
import { CloudLink, type CloudLinkOptions } from './cloud-link.js';
import { readIdentity } from './identity-store.js';

/** Start the cloud link of a provisioned unit (the daemon's entry into link/). */
export async function startLink(
  agent: Agent,
  identityDir: string,
  cloudUrl: string | undefined,
  log: (message: string) => void,
  monitoring: Pick<CloudLinkOptions, 'monitoringPeriodMs' | 'monitoringBufferSamples'> = {},
): Promise<CloudLink> {
  const identity = await readIdentity(identityDir);
  const link = new CloudLink({ agent, identity, ...(cloudUrl ? { cloudUrl } : {}), log, ...monitoring });
  link.start();
  return link;
}
