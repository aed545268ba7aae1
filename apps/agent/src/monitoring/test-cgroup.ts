/** Test helper (root only): a real v1 cgroup with a real process in it, removed afterwards. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgroupLayout } from './parse-cgroup-mounts.js';

export interface TestCgroup {
  cgroupsPath: string;
  directories: string[];
  /** Start `python3 -c script` inside the cgroup; resolves when it printed "ready". */
  runInside(script: string): Promise<ChildProcess>;
  remove(): Promise<void>;
}

/** Create `/openaos-test-<name>-<pid>` under each v1 controller the monitor reads. */
export async function createTestCgroup(
  layout: CgroupLayout,
  name: string,
  limits: { memoryBytes?: number } = {},
): Promise<TestCgroup> {
  const cgroupsPath = `/openaos-test-${name}-${process.pid}`;
  const roots = [layout.controllers.memory, layout.controllers.cpuacct, layout.controllers.pids].filter(
    (root): root is string => root !== undefined,
  );
  const directories = [...new Set(roots)].map((root) => join(root, cgroupsPath));
  for (const directory of directories) await mkdir(directory, { recursive: true });
  if (limits.memoryBytes !== undefined && layout.controllers.memory !== undefined) {
    const memory = join(layout.controllers.memory, cgroupsPath);
    await writeFile(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    await writeFile(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)).catch(() => undefined);
  }
  const children: ChildProcess[] = [];
  return {
    cgroupsPath,
    directories,
    async runInside(script) {
      // The child waits on stdin until it has been moved into the cgroup, so everything it
      // allocates or burns is charged there.
      const child = spawn('python3', ['-c', `import sys\nsys.stdin.readline()\n${script}`], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(child);
      for (const directory of directories) await writeFile(join(directory, 'cgroup.procs'), String(child.pid));
      child.stdin.write('go\n');
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await Promise.race([
        new Promise<void>((resolve) => {
          const check = () => (output.includes('ready') ? resolve() : setTimeout(check, 10));
          check();
        }),
        once(child, 'exit'),
      ]);
      return child;
    },
    async remove() {
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await once(child, 'exit');
        }
      }
      for (const directory of directories) {
        // The kernel frees the cgroup a moment after its last task is reaped.
        for (let attempt = 0; attempt < 50; attempt += 1) {
          try {
            await rmdir(directory);
            break;
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOENT') break;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      }
    },
  };
}
