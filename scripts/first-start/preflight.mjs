// What the first start needs, checked before anything starts, each with what to do when it is
// missing. Node's version and the build are checked by scripts/start itself (before Node runs this).
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** @param {string} command */
async function hasCommand(command) {
  return run('sh', ['-c', `command -v ${command}`]).then(
    () => true,
    () => false,
  );
}

/**
 * Whether the port can be listened on (on the address the cloud will use).
 * @param {number} port
 * @param {string} host
 */
export function isPortFree(port, host) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * Why the local unit cannot run here, or undefined when it can: it needs root (runc, mounts,
 * cgroups), runc, and mkfs.ext4 for its storage image.
 * @returns {Promise<string | undefined>}
 */
export async function checkUnitRequirements() {
  if (process.getuid?.() !== 0) {
    return (await hasCommand('sudo'))
      ? 'the local unit needs root (runc, mounts, cgroups): stop this and run `sudo scripts/start`'
      : 'the local unit needs root (runc, mounts, cgroups) and there is no sudo here: run it as root (`su -c scripts/start`, or install sudo as root: `apt-get install sudo`)';
  }
  if (!(await hasCommand('runc'))) return 'runc is not installed: run scripts/setup (it runs `apt-get install runc`)';
  if (!(await hasCommand('mkfs.ext4')))
    return "mkfs.ext4 is missing (the unit's storage image needs it): run scripts/setup (`apt-get install e2fsprogs`)";
  return undefined;
}
