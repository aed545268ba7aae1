import { mkdir } from 'node:fs/promises';
import { removeInterruptedInstalls } from '../install/layer-paths.js';
import { agentFiles, type StoragePaths } from '../paths.js';
import { prepareHostRoot } from './prepare-host-root.js';

/**
 * Make the (mounted) storage ready for a starting agent: its directories, the host root bind and
 * whiteouts, and no leftovers of installs a previous agent did not finish.
 */
export async function prepareStorage(paths: StoragePaths, log: (message: string) => void): Promise<void> {
  const files = agentFiles(paths);
  for (const dir of [
    paths.images,
    paths.layers,
    paths.instances,
    paths.storage,
    paths.state,
    paths.runc,
    paths.agent,
    paths.volumes,
    paths.network,
    files.inbox,
  ])
    await mkdir(dir, { recursive: true });
  await prepareHostRoot(paths);
  const leftovers = await removeInterruptedInstalls(paths);
  if (leftovers.length > 0) log(`removed interrupted installs: ${leftovers.join(', ')}`);
}
