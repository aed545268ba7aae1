// Agent resident memory, idle, with 5 instances running, connected to a cloud: starts the real
// daemon (apps/agent/bin/aos-agent.js, built dist, its shebang's V8 flags) on a tmpfs storage,
// provisions it with a small real cloud (apps/agent/test/cloud-peer.ts: ws + HTTP blobs + a CA,
// the agent tests' peer), has that cloud send a desired status with 5 instances of a small Python
// service (downloaded through the link), waits until the cloud sees all 5 active plus a settle
// time, then reads the daemon's VmRSS (target < 50 MB) and where it goes:
//   - /proc/<pid>/smaps_rollup: anonymous (heap, malloc) against file-backed (node's binary, libs);
//   - a diagnostic report (SIGUSR2): V8 heap used/committed per space (code space included),
//     external memory, malloc'd memory;
//   - a second start of the daemon (the instances adopted, connected again) with --heap-prof: the
//     live JS heap sampled by module (package), at exit.
// Then the same daemon without the cloud link (local mode) for comparison.
// Root only. Run after `pnpm build`, with tsx for the peer: node --import tsx agent-memory.mjs [--json]
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from '@openaos/agent';
import { execa } from 'execa';
import { instanceStates, startCloudPeer } from '../apps/agent/test/cloud-peer.ts';
import { benchDirectory, buildBenchImage, cleanupStorage, prepareStorage, requireRoot, sleep } from './agent-lib.mjs';
import { summarizeHeapProfile } from './lib/summarize-heap-profile.mjs';

requireRoot('agent-memory');
const isJson = process.argv.includes('--json');
const settleMs = Number(process.env.BENCH_SETTLE_MS || 15_000);
const INSTANCES = 5;
const SERVICE_ID = '3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';
const SUBJECT_ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const OWNER_ID = 'c0ffee00-1234-4abc-9def-0123456789ab';
const SYSTEM_ID = `bench-unit-${process.pid}`;
const MB = 1_000_000;
const MIB = 1024 * 1024;
const cgroupParent = `/openaos-bench-memory-${process.pid}`;
const { root, storageDir } = await prepareStorage('agent-memory');
const identityDir = join(root, 'identity');
const reportDir = join(root, 'reports');
const bin = join(benchDirectory, '..', 'apps/agent/bin/aos-agent.js');
const distMain = join(benchDirectory, '..', 'apps/agent/dist/main.js');
const shebangFlags = (await readFile(bin, 'utf8'))
  .split('\n')[0]
  .split(' ')
  .filter((word) => word.startsWith('--'));
const log = (message) => (isJson ? process.stderr : process.stdout).write(`${message}\n`);
const mib = (bytes) => (bytes / MIB).toFixed(1);

/** Start the daemon as an executable, so the bin's shebang flags apply (as with systemd or a PATH install). */
function startDaemon(extraArgs = [], nodeOptions = '', { unbundled = false } = {}) {
  // BENCH_AGENT_NODE_FLAGS: try other node/V8 flags than the shebang's (node <flags> bin …).
  // unbundled: dist/main.js (one file per module) with the shebang's flags, so a heap profile names the packages.
  const trial = process.env.BENCH_AGENT_NODE_FLAGS?.split(' ').filter(Boolean);
  const [command, ...prefix] = unbundled
    ? [process.execPath, ...(trial ?? shebangFlags), distMain]
    : trial
      ? [process.execPath, ...trial, bin]
      : [bin];
  return execa(
    command,
    [...prefix, 'run', '--storage-dir', storageDir, '--cgroup-parent', cgroupParent, ...extraArgs],
    {
      reject: false,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { NODE_OPTIONS: nodeOptions },
    },
  );
}

async function stopDaemon(daemon) {
  daemon.kill('SIGTERM');
  const result = await daemon;
  if (result.exitCode !== 0) throw new Error(`the daemon exited with ${result.exitCode}: ${result.stderr}`);
}

/** VmRSS and VmHWM (/proc/<pid>/status) and the anonymous/file split (smaps_rollup), in bytes. */
async function readResident(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (text, name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return {
    mappings: await readMappings(pid),
    rss: field(status, 'VmRSS'),
    peak: field(status, 'VmHWM'),
    anonymous: field(rollup, 'Anonymous'),
    fileBacked: field(rollup, 'Rss') - field(rollup, 'Anonymous'),
  };
}

/** Resident bytes per mapping (file and permissions, or the kind of anonymous memory), largest first. */
async function readMappings(pid) {
  const totals = new Map();
  let name = '';
  for (const line of (await readFile(`/proc/${pid}/smaps`, 'utf8')).split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) name = `${header[2] || '(anonymous)'} ${header[1]}`;
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) totals.set(name, (totals.get(name) ?? 0) + Number(rss[1]) * 1024);
  }
  return [...totals.entries()]
    .map(([mapping, bytes]) => ({ mapping, bytes }))
    .filter((entry) => entry.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

/** The daemon's diagnostic report (--report-on-signal, SIGUSR2): V8's heap spaces, external and malloc'd memory. */
async function readReport(pid) {
  const before = new Set(await readdir(reportDir));
  process.kill(pid, 'SIGUSR2');
  for (let waited = 0; waited < 10_000; waited += 100) {
    await sleep(100);
    const file = (await readdir(reportDir)).find((name) => !before.has(name) && name.endsWith('.json'));
    if (file === undefined) continue;
    const text = await readFile(join(reportDir, file), 'utf8').catch(() => '');
    try {
      const heap = JSON.parse(text).javascriptHeap;
      const spaces = Object.fromEntries(
        Object.entries(heap.heapSpaces).map(([name, space]) => [
          name,
          { used: space.used, committed: space.committedMemory ?? space.memorySize },
        ]),
      );
      return {
        heapUsed: heap.usedMemory,
        heapCommitted: heap.totalCommittedMemory ?? heap.totalMemory,
        external: heap.externalMemory,
        malloced: heap.mallocedMemory,
        spaces,
      };
    } catch {
      // Still being written.
    }
  }
  throw new Error(`no diagnostic report from the daemon (pid ${pid}) in ${reportDir}`);
}

const REPORT_FLAGS = `--report-on-signal --report-signal=SIGUSR2 --report-directory=${reportDir}`;
let daemon;
let peer;
const result = {};
try {
  await mkdir(reportDir, { recursive: true });
  const image = await buildBenchImage(root);
  peer = await startCloudPeer();
  const indexDigest = await peer.publishImage(image.directory, image.manifestDigest);
  const provisioned = await execa(
    'node',
    [
      bin,
      'provision',
      '--cloud',
      peer.url,
      '--token',
      peer.issueToken(SYSTEM_ID),
      '--system-id',
      SYSTEM_ID,
      '--storage-dir',
      storageDir,
      '--identity-dir',
      identityDir,
    ],
    { reject: false },
  );
  if (provisioned.exitCode !== 0) throw new Error(`provision failed: ${provisioned.stdout}${provisioned.stderr}`);
  const allActive = (view) => {
    const states = instanceStates(view, SERVICE_ID, '1.0.0');
    return states.length === INSTANCES && states.every((state) => state === 'active');
  };

  // 1. Connected: the cloud sends the desired status; the image comes through the link.
  daemon = startDaemon(['--identity-dir', identityDir], REPORT_FLAGS);
  const connection = await peer.nextConnection(0);
  await connection.waitForStatus(() => true, 'the first unit status');
  await connection.sendDesired({
    messageType: 'desiredStatus',
    items: [{ item: { id: SERVICE_ID }, version: '1.0.0', owner: { id: OWNER_ID }, indexDigest }],
    instances: [{ item: { id: SERVICE_ID }, subject: { id: SUBJECT_ID }, numInstances: INSTANCES }],
  });
  await connection.waitForView(allActive, `${INSTANCES} instances active in the cloud`);
  await sleep(settleMs);
  const connected = await readResident(daemon.pid);
  const report = await readReport(daemon.pid);
  if (process.env.BENCH_PAUSE_MS) {
    log(`daemon pid ${daemon.pid}: paused ${process.env.BENCH_PAUSE_MS} ms for inspection`);
    await sleep(Number(process.env.BENCH_PAUSE_MS));
  }
  result.connected = { ...connected, ...report };
  log(
    `agent resident memory, idle, connected, ${INSTANCES} instances active: ${mib(connected.rss)} MiB = ${(connected.rss / MB).toFixed(1)} MB (peak ${mib(connected.peak)} MiB) (target < 50 MB)`,
  );
  log(
    `  anonymous ${mib(connected.anonymous)} MiB, file-backed ${mib(connected.fileBacked)} MiB (node's binary and libraries)`,
  );
  log(
    `  largest mappings (MiB): ${connected.mappings
      .slice(0, 8)
      .map((entry) => `${entry.mapping} ${mib(entry.bytes)}`)
      .join(', ')}`,
  );
  log(
    `  V8 heap used ${mib(report.heapUsed)} MiB of ${mib(report.heapCommitted)} MiB committed, external ${mib(report.external)} MiB, malloc'd by V8 ${mib(report.malloced)} MiB`,
  );
  log(
    `  heap spaces (used/committed MiB): ${Object.entries(report.spaces)
      .filter(([, space]) => space.committed > 0)
      .map(([name, space]) => `${name} ${mib(space.used)}/${mib(space.committed)}`)
      .join(', ')}`,
  );
  await stopDaemon(daemon);
  daemon = undefined;

  // 2. Where the heap goes: the same daemon started again with the sampling heap profiler, from
  // dist/ rather than the bundle so that allocations are attributed to packages.
  const profileDir = join(root, 'heap-profile');
  daemon = startDaemon(
    ['--identity-dir', identityDir],
    `--heap-prof --heap-prof-dir=${profileDir} --heap-prof-interval=4096`,
    { unbundled: true },
  );
  const again = await peer.nextConnection(1);
  await again.waitForView(allActive, `${INSTANCES} instances active after a restart`);
  await sleep(settleMs);
  result.profiled = await readResident(daemon.pid);
  await stopDaemon(daemon);
  daemon = undefined;
  const [profileFile] = (await readdir(profileDir)).filter((name) => name.endsWith('.heapprofile'));
  const modules = await summarizeHeapProfile(join(profileDir, profileFile));
  result.heapByModule = modules;
  log(
    `  live JS heap by module (sampled at exit of a second connected start from dist/, unbundled, --heap-prof, ${mib(result.profiled.rss)} MiB RSS; "node internals" holds the modules' source text):`,
  );
  for (const entry of modules.slice(0, 12)) log(`    ${mib(entry.bytes).padStart(5)} MiB  ${entry.module}`);

  // 3. Local mode: the same storage and instances, no identity (no cloud link).
  daemon = startDaemon(['--identity-dir', join(root, 'no-identity')]);
  for (let waited = 0; waited < 30_000; waited += 250) {
    const status = JSON.parse(await readFile(join(storageDir, 'agent/status.json'), 'utf8').catch(() => '{}'));
    const active = (status.instances ?? []).filter((instance) => instance.status === 'active').length;
    if (active === INSTANCES && (await readFile(join(storageDir, 'agent/daemon.pid'), 'utf8').catch(() => '')) !== '')
      break;
    await sleep(250);
  }
  await sleep(settleMs);
  result.local = await readResident(daemon.pid);
  log(
    `agent resident memory, idle, local mode (no cloud link), ${INSTANCES} instances active: ${mib(result.local.rss)} MiB = ${(result.local.rss / MB).toFixed(1)} MB`,
  );
  await stopDaemon(daemon);
  daemon = undefined;
  if (isJson) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(benchDirectory, '.work', 'agent-memory.json'), JSON.stringify(result, null, 2));
} finally {
  daemon?.kill('SIGTERM');
  await daemon?.catch(() => undefined);
  await peer?.stop();
  // The daemon leaves containers running by design; remove them and everything else.
  const agent = await Agent.open({ storageDir, cgroupParent }).catch(() => undefined);
  await agent?.destroy().catch((error) => console.error(error));
  await execa('umount', ['-l', join(storageDir, 'hostfs/root')], { reject: false });
  await cleanupStorage(root, cgroupParent);
}
