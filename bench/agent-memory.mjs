// Agent resident memory, idle, with 5 instances running: starts the real daemon
// (apps/agent/bin/aos-agent.js, built dist) on a tmpfs storage, applies a desired status with
// 5 instances of a small Python service, waits until all are active plus a settle time, then
// reads the daemon's VmRSS (target ≤ 60 MB). Root only. Run after `pnpm build`.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from '@openaos/agent';
import { execa } from 'execa';
import {
  benchDirectory,
  buildBenchImage,
  cleanupStorage,
  desiredStatus,
  prepareStorage,
  requireRoot,
  sleep,
} from './agent-lib.mjs';

requireRoot('agent-memory');
const settleMs = Number(process.env.BENCH_SETTLE_MS || 15_000);
const cgroupParent = `/openaos-bench-memory-${process.pid}`;
const { root, storageDir } = await prepareStorage('agent-memory');
const bin = join(benchDirectory, '..', 'apps/agent/bin/aos-agent.js');
let daemon;
try {
  const image = await buildBenchImage(root);
  const desiredFile = join(root, 'desired.json');
  await writeFile(desiredFile, JSON.stringify(desiredStatus(image, 5)));
  // Started as an executable, so the bin's shebang flags apply (as with systemd or a PATH install).
  daemon = execa(bin, ['run', '--storage-dir', storageDir, '--cgroup-parent', cgroupParent], {
    reject: false,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await sleep(1000);
  const applied = await execa(
    'node',
    [bin, 'apply', desiredFile, '--storage-dir', storageDir, '--wait', '--timeout', '60'],
    { reject: false },
  );
  if (applied.exitCode !== 0) throw new Error(`apply failed: ${applied.stdout}${applied.stderr}`);
  const status = JSON.parse(await readFile(join(storageDir, 'agent/status.json'), 'utf8'));
  const active = status.instances.filter((instance) => instance.status === 'active').length;
  await sleep(settleMs);
  const procStatus = await readFile(`/proc/${daemon.pid}/status`, 'utf8');
  const rssKiB = Number(procStatus.match(/^VmRSS:\s+(\d+) kB/m)[1]);
  const hwmKiB = Number(procStatus.match(/^VmHWM:\s+(\d+) kB/m)[1]);
  console.log(
    `agent resident memory, idle, ${active} instances active: ${(rssKiB / 1024).toFixed(1)} MiB (peak ${(hwmKiB / 1024).toFixed(1)} MiB) (target ≤ 60 MB)`,
  );
} finally {
  daemon?.kill('SIGTERM');
  await daemon?.catch(() => undefined);
  // The daemon leaves containers running by design; remove them and everything else.
  const agent = await Agent.open({ storageDir, cgroupParent }).catch(() => undefined);
  await agent?.destroy().catch((error) => console.error(error));
  await execa('umount', ['-l', join(storageDir, 'hostfs/root')], { reject: false });
  await cleanupStorage(root, cgroupParent);
}
