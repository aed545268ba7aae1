import { mkdir, readdir } from 'node:fs/promises';
import { runProgram } from '../run-program.js';
import { AgentError } from '../errors.js';
import type { StoragePaths } from '../paths.js';
import { isMountPoint } from './mount-storage.js';

/** Host top-level directories a container sees (reference §4.2 `hostBinds`). */
export const HOST_BINDS = ['bin', 'sbin', 'lib', 'lib64', 'usr'] as const;

/**
 * Prepare the two lowest overlay layers every instance shares: a NON-recursive bind of the
 * host `/` (so mounts below it, including our own storage, do not show through) and a
 * directory of char 0:0 whiteouts hiding every host top-level entry except HOST_BINDS.
 * Idempotent; adds whiteouts for host entries that appeared since the last start.
 */
export async function prepareHostRoot(paths: StoragePaths): Promise<void> {
  await mkdir(paths.hostRoot, { recursive: true });
  if (!(await isMountPoint(paths.hostRoot))) {
    try {
      await runProgram('mount', ['--bind', '/', paths.hostRoot]);
      await runProgram('mount', ['-o', 'remount,bind,ro', paths.hostRoot]);
    } catch (cause) {
      throw new AgentError('mount-failed', `binding the host root at ${paths.hostRoot}: ${(cause as Error).message}`, {
        cause,
      });
    }
  }
  // Only add what is missing: the directory is a lower layer of running containers' overlays,
  // and overlayfs does not allow changing a lower layer under a mount (a re-adopting agent).
  await mkdir(paths.whiteouts, { recursive: true });
  const existing = new Set(await readdir(paths.whiteouts));
  const entries = await readdir('/');
  const hidden = entries.filter((entry) => !(HOST_BINDS as readonly string[]).includes(entry) && !existing.has(entry));
  // One mknod call for all: spawning per entry is slow on small devices.
  if (hidden.length > 0) {
    await runProgram('sh', ['-c', 'for entry in "$@"; do mknod "$entry" c 0 0; done', 'sh', ...hidden], {
      cwd: paths.whiteouts,
    });
  }
}
