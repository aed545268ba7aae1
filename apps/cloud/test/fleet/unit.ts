/**
 * Tests only: a unit as a device owner runs one — the real `aos-agent` (provision, then `run` as
 * a daemon on its own storage tmpfs and cgroup parent), its containers under runc. `remove()`
 * stops every container, unmounts and deletes what the unit made.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from '@openaos/agent';
import { appDirectory } from '../cloud-process.js';
import type { CommandResult, Fleet } from './fleet.js';

const agentBin = join(appDirectory, '..', 'agent', 'bin', 'aos-agent.js');

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface TestUnit {
  readonly systemId: string;
  /** The unit's ID in the cloud. */
  readonly id: string;
  readonly storageDir: string;
  /** `aos-agent <args>` for this unit (its storage dir added); throws unless it exits with `expectExit`. */
  agent(args: string[], options?: { expectExit?: number }): Promise<CommandResult>;
  /** A provisioning token from the cloud (`aos unit provision-token --json`), then `aos-agent provision`. */
  provision(): Promise<CommandResult>;
  /** Start `aos-agent run` (it connects to the cloud it was provisioned with). */
  start(extraArgs?: string[]): Promise<void>;
  /** SIGTERM the daemon (its containers keep running, as on a real unit). */
  stop(): Promise<void>;
  /** Whether `start()` ran and the daemon has exited since (a wait on it can stop at once). */
  hasExited(): boolean;
  /** Everything the daemon printed since it started. */
  output(): string;
  /** Wait until the daemon's output matches. */
  waitForOutput(pattern: RegExp): Promise<void>;
  remove(): Promise<void>;
}

/** Register a unit with the OEM's credential (`aos unit create`); nothing runs yet. */
export async function createUnit(fleet: Fleet, systemId: string): Promise<TestUnit> {
  const created = await fleet.aosJson<{ id: string }>(['unit', 'create', '--system-id', systemId, '--model', 'test']);
  const root = join(fleet.root, `unit-${systemId}`);
  const storageDir = join(root, 'storage');
  await mkdir(storageDir, { recursive: true });
  const cgroupParent = `/openaos-fleet-${systemId}-${process.pid}`;
  let daemon: ChildProcess | undefined;
  let output = '';
  const waiters = new Set<() => void>();

  const agent = (args: string[], options: { expectExit?: number } = {}) =>
    new Promise<CommandResult>((resolve, reject) => {
      execFile(
        process.execPath,
        [agentBin, ...args, '--storage-dir', storageDir],
        { cwd: root, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          if (exitCode !== (options.expectExit ?? 0))
            reject(new Error(`aos-agent ${args.join(' ')} exited ${exitCode}:\n${stdout}\n${stderr}`));
          else resolve({ stdout, stderr, exitCode });
        },
      );
    });

  const stop = async () => {
    const child = daemon;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  };

  return {
    systemId,
    id: created.id,
    storageDir,
    agent,
    async provision() {
      const token = await fleet.aosJson<{ token: string }>(['unit', 'provision-token', systemId]);
      return agent(['provision', '--cloud', fleet.url, '--token', token.token, '--system-id', systemId]);
    },
    async start(extraArgs = []) {
      if (daemon && daemon.exitCode === null) throw new Error(`unit ${systemId}: the agent is already running`);
      const child = spawn(
        process.execPath,
        [
          agentBin,
          'run',
          '--storage-dir',
          storageDir,
          '--storage-size',
          '256m',
          '--cgroup-parent',
          cgroupParent,
          ...extraArgs,
        ],
        { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        for (const wake of [...waiters]) wake();
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      running.add(child);
      child.once('exit', () => {
        running.delete(child);
        for (const wake of [...waiters]) wake();
      });
      daemon = child;
    },
    stop,
    hasExited: () => daemon !== undefined && daemon.exitCode !== null,
    output: () => output,
    waitForOutput(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            waiters.delete(check);
            resolve();
          } else if (daemon?.exitCode !== null && daemon?.exitCode !== undefined) {
            waiters.delete(check);
            reject(new Error(`unit ${systemId}: the agent exited before printing ${pattern}:\n${output}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    async remove() {
      await stop();
      // The agent's own teardown: every container stopped and deleted, its mounts and cgroups removed.
      const opened = await Agent.open({ storageDir, storageSize: '256m', cgroupParent }).catch(() => undefined);
      await opened?.destroy().catch(() => undefined);
      for (const mount of (await readFile('/proc/self/mountinfo', 'utf8'))
        .split('\n')
        .map((line) => line.split(' ')[4] ?? '')
        .filter((point) => point.startsWith(root))
        .reverse()) {
        await new Promise<void>((resolve) => execFile('umount', ['-l', mount], () => resolve()));
      }
      for (const controller of await readdir('/sys/fs/cgroup').catch(() => [])) {
        const directory = join('/sys/fs/cgroup', controller, cgroupParent);
        for (const child of await readdir(directory, { withFileTypes: true }).catch(() => []))
          if (child.isDirectory()) await rmdir(join(directory, child.name)).catch(() => undefined);
        await rmdir(directory).catch(() => undefined);
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
