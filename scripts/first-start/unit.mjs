// The local unit: this machine as a device. Provisioned once through the real path (a one-time
// token from `aos unit provision-token`, then `aos-agent provision`), then `aos-agent run` as a
// daemon that connects to the cloud by itself. Its storage is a loop-mounted ext4 image in the
// data folder, so what its services keep in /storage survives a stop; its identity sits beside
// the storage. Stopping tears everything down: the daemon first (SIGTERM), then the agent's own
// teardown (every container, rootfs mount and cgroup), then the storage mount itself.
import { spawn, execFile } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DEMO } from './paths.mjs';

const run = promisify(execFile);
const STORAGE_SIZE = '1G';

/**
 * @param {{ repoRoot: string, paths: ReturnType<import('./paths.mjs').startPaths>,
 *   commands: ReturnType<import('./commands.mjs').createCommands> }} options
 */
export function createLocalUnit({ repoRoot, paths, commands }) {
  const storageOptions = ['--storage-image', paths.unitImage, '--storage-size', STORAGE_SIZE];
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let daemon;
  /** @type {Promise<unknown> | undefined} */
  let daemonExited;

  return {
    isProvisioned: () => exists(join(paths.unitIdentity, 'unit.crt.pem')),

    /** A one-time token as the OEM, then the agent makes its key and gets its certificate. */
    async provision() {
      /** @type {{ token: string }} */
      const token = await commands.aosJson(['unit', 'provision-token', DEMO.unitSystemId, '--ttl', '10m']);
      await commands.agent([
        'provision',
        '--cloud',
        commands.cloudUrl,
        '--token',
        token.token,
        '--system-id',
        DEMO.unitSystemId,
        '--storage-dir',
        paths.unitStorage,
      ]);
    },

    /** `aos-agent run` in its own process group (a Ctrl-C reaches the start, which stops it in order). */
    start() {
      const log = openSync(paths.unitLog, 'a');
      const child = spawn(
        process.execPath,
        [
          commands.agentBin,
          'run',
          '--storage-dir',
          paths.unitStorage,
          ...storageOptions,
          '--cgroup-parent',
          paths.cgroupParent,
          '--cloud',
          commands.cloudUrl,
        ],
        { stdio: ['ignore', log, log], detached: true, env: { ...process.env, NO_COLOR: '1' } },
      );
      closeSync(log);
      daemon = child;
      daemonExited = new Promise((resolve) => child.once('exit', resolve));
    },

    hasExited: () => daemon !== undefined && (daemon.exitCode !== null || daemon.signalCode !== null),

    /** Stop the daemon, then remove every container, mount and cgroup the unit made. */
    async stop() {
      if (daemon && daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGTERM');
      await daemonExited;
      await tearDownUnit(repoRoot, paths);
    },
  };
}

/**
 * The agent's own teardown (as its tests and uninstall use), then whatever is still mounted
 * under the unit's folder (the storage image; its loop device goes with it) and the cgroup parent.
 * @param {string} repoRoot
 * @param {ReturnType<import('./paths.mjs').startPaths>} paths
 */
export async function tearDownUnit(repoRoot, paths) {
  if (await exists(paths.unitImage)) {
    const { Agent } = await import(pathToFileURL(join(repoRoot, 'apps', 'agent', 'dist', 'index.js')).href);
    const agent = await Agent.open({
      storageDir: paths.unitStorage,
      storageImage: paths.unitImage,
      storageSize: STORAGE_SIZE,
      cgroupParent: paths.cgroupParent,
    });
    await agent.destroy();
  }
  for (const mountPoint of (await mountsUnder(paths.unitDir)).reverse()) {
    await run('umount', [mountPoint]).catch(() => run('umount', ['-l', mountPoint]));
  }
  // A lazily unmounted image keeps its loop device until the kernel lets go of it: detach it now.
  const { stdout: loops } = await run('losetup', ['-j', paths.unitImage]).catch(() => ({ stdout: '' }));
  for (const device of loops
    .split('\n')
    .map((line) => line.split(':')[0])
    .filter(Boolean)) {
    await run('losetup', ['-d', device]).catch(() => undefined);
  }
  // The kernel releases a loop device after its last user closes it, asynchronously (and
  // `losetup -d` of a device still busy only marks it to be cleared): wait until it is gone, so
  // "stopped" means nothing is left attached.
  for (let waited = 0; waited < 10_000; waited += 100) {
    const { stdout } = await run('losetup', ['-j', paths.unitImage]).catch(() => ({ stdout: '' }));
    if (stdout.trim() === '') break;
    await sleep(100);
  }
  for (const controller of await readdir('/sys/fs/cgroup').catch(() => [])) {
    const directory = join('/sys/fs/cgroup', controller, paths.cgroupParent);
    for (const child of await readdir(directory, { withFileTypes: true }).catch(() => []))
      if (child.isDirectory()) await rmdir(join(directory, child.name)).catch(() => undefined);
    await rmdir(directory).catch(() => undefined);
  }
}

/**
 * Mount points at or below `directory`, in mount order.
 * @param {string} directory
 */
export async function mountsUnder(directory) {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((point) => point === directory || point.startsWith(`${directory}/`));
}

/** @param {string} path */
async function exists(path) {
  return stat(path).then(
    () => true,
    () => false,
  );
}
