/**
 * infra/agent/install.sh into a temporary root (as a package build or a first test on a device
 * would), against the built cloud: it writes the systemd unit (which systemd-analyze accepts) and
 * its storage drop-in, provisions the unit with a real one-time token, keeps that identity when
 * run again, and the unit's ExecStart — run as systemd would, with the drop-in's options — brings
 * the unit online in the cloud. Needs root, runc and `pnpm build`; nothing is installed in /etc.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '@openaos/agent';
import { appDirectory, CLOUD_START_TIMEOUT_MS } from './cloud-process.js';
import { startFleet, type Fleet } from './fleet/fleet.js';

const repoRoot = join(appDirectory, '..', '..');
const installScript = join(repoRoot, 'infra', 'agent', 'install.sh');

function runInstall(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(installScript, args, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }),
    );
  });
}

describe('infra/agent/install.sh', () => {
  let fleet: Fleet;
  let root: string;
  let daemon: ChildProcess | undefined;
  const systemId = `install-${process.pid}`;
  const cgroupParent = `/openaos-install-test-${process.pid}`;

  beforeAll(async () => {
    fleet = await startFleet('pglite');
    root = await mkdtemp(join(tmpdir(), 'openaos-install-root-'));
    await fleet.aos(['unit', 'create', '--system-id', systemId, '--model', 'install test']);
  }, CLOUD_START_TIMEOUT_MS);

  afterAll(async () => {
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon?.once('exit', resolve));
      daemon.kill('SIGTERM');
      await exited;
    }
    const storageDir = join(root, 'var/lib/aos-agent');
    const agent = await Agent.open({ storageDir, storageSize: '256m', cgroupParent }).catch(() => undefined);
    await agent?.destroy();
    await promisify(execFile)('umount', ['-l', storageDir]).catch(() => undefined);
    await fleet?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('refuses a token without a cloud, saying what is missing', async () => {
    const result = await runInstall(['--root', root, '--token', 'aosprov_x']);
    expect(result.code).toBe(1);
    expect(result.output).toContain('--token needs --cloud');
  });

  it('installs the unit and drop-in, provisions once, and the unit it wrote runs the agent', async () => {
    const token = await fleet.aosJson<{ token: string }>(['unit', 'provision-token', systemId]);
    const args = ['--root', root, '--cloud', fleet.url, '--token', token.token, '--system-id', systemId];
    const first = await runInstall([...args, '--storage-size', '256m']);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`provisioned unit ${systemId}`);
    expect(first.output).toContain('not started');

    const unitFile = join(root, 'etc/systemd/system/aos-agent.service');
    const unit = await readFile(unitFile, 'utf8');
    const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
    expect(execStart).toContain(`${process.execPath} `);
    expect(execStart).toContain(join(repoRoot, 'apps/agent/bin/aos-agent.js'));
    const { stdout: verifyOutput, stderr: verifyErrors } = await promisify(execFile)('systemd-analyze', [
      'verify',
      unitFile,
    ]);
    expect(verifyOutput + verifyErrors).toBe('');
    const dropIn = await readFile(join(root, 'etc/systemd/system/aos-agent.service.d/storage.conf'), 'utf8');
    const options = /AOS_AGENT_OPTIONS=([^"]*)"/.exec(dropIn)?.[1];
    expect(options).toBe('--storage-size 256m');
    expect((await stat(join(root, 'var/lib/aos-agent-identity/unit.key.pem'))).mode & 0o777).toBe(0o600);
    expect((await fleet.aosJson<{ systemId: string; state: string }[]>(['unit', 'list']))[0]?.state).toBe(
      'provisioned',
    );

    // Again: the identity is kept (the token was used up; it would be refused).
    const again = await runInstall(args);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('already provisioned');

    // The ExecStart systemd would run (its storage under the temporary root, its own cgroup parent).
    const words = `${execStart} ${options}`
      .replace('$AOS_AGENT_OPTIONS', '')
      .replaceAll('/var/lib/aos-agent', join(root, 'var/lib/aos-agent'))
      .replace('--cgroup-parent /openaos', `--cgroup-parent ${cgroupParent}`)
      .split(/\s+/)
      .filter(Boolean);
    let output = '';
    daemon = spawn(words[0] ?? 'node', words.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    daemon.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const status = await fleet.aosJson<{ unit: { unit: { connection: string } } }>(['status', '--unit', systemId]);
      if (status.unit.unit.connection === 'online') break;
      if (daemon.exitCode !== null || Date.now() > deadline)
        throw new Error(`the installed agent did not come online:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, 180_000);
});
