import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listLeafFirst, readCgroupMountPoints, toRelativeCgroupPath } from './cgroup-hierarchies.js';

/** How long to keep killing before giving up (the rmdir that follows then logs "still in use"). */
const KILL_DEADLINE_MS = 5000;
const KILL_ROUND_MS = 20;

async function readTasks(dirs: string[]): Promise<number[]> {
  const pids = new Set<number>();
  for (const dir of dirs) {
    const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (line.trim()) pids.add(Number(line));
  }
  return [...pids];
}

/**
 * SIGKILL every process in the cgroup `cgroupPath` and its sub-cgroups, in every hierarchy, and
 * wait until none is left (a process may fork while we kill: each round reads the tasks again).
 * For containers whose runc state is gone, runc cannot kill them any more. Returns the pids
 * killed; a cgroup that will not empty within the deadline is left to the rmdir that follows.
 */
export async function killCgroupTasks(
  cgroupPath: string,
  options: { mountinfoText?: string; deadlineMs?: number } = {},
): Promise<number[]> {
  const relative = toRelativeCgroupPath(cgroupPath, 'killing the tasks of');
  const dirs: string[] = [];
  for (const mount of await readCgroupMountPoints(options.mountinfoText))
    dirs.push(...(await listLeafFirst(join(mount, relative))));
  // A frozen task (a paused container) takes a SIGKILL only once thawed.
  for (const dir of dirs) {
    await writeFile(join(dir, 'freezer.state'), 'THAWED').catch(() => undefined);
    await writeFile(join(dir, 'cgroup.freeze'), '0').catch(() => undefined);
  }
  const killed = new Set<number>();
  const deadline = Date.now() + (options.deadlineMs ?? KILL_DEADLINE_MS);
  for (;;) {
    const pids = await readTasks(dirs);
    if (pids.length === 0 || Date.now() > deadline) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // Gone already.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, KILL_ROUND_MS));
  }
  return [...killed];
}
