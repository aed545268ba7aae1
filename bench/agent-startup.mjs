// Agent start latency: time from a desired status (image already installed) to the instance
// reported `active`, against a bare `runc run -d` of an equivalent bundle (the same config.json
// and an identically prepared overlay rootfs), alternately, BENCH_RUNS times (default 9) after
// one warm-up round of each that is not counted (JIT, page cache).
// Prints the ratio of the medians (target ≤ 1.5). Then the same through the real daemon
// (bin/aos-agent.js with its flags): desired status handed to its inbox → status.json says active.
// Root only. Run after `pnpm build`.
import { watch } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { Agent, agentFiles, createInstanceId, handOverTarget, instancePaths } from '@openaos/agent';
import { execa } from 'execa';
import {
  benchDirectory,
  buildBenchImage,
  cleanupStorage,
  desiredStatus,
  median,
  prepareStorage,
  requireRoot,
  SERVICE_ID,
  SUBJECT_ID,
  sleep,
} from './agent-lib.mjs';

requireRoot('agent-startup');
const runs = Number(process.env.BENCH_RUNS || 9);
const cgroupParent = `/openaos-bench-startup-${process.pid}`;
const { root, storageDir } = await prepareStorage('agent-startup');
const baselineRoot = join(storageDir, 'baseline');
let agent;
try {
  const image = await buildBenchImage(root);
  // The agent's own report (onStatus, as the cloud link gets it) marks `active`: no polling from here.
  let waiter;
  const nextStatus = (predicate) => new Promise((resolve) => (waiter = { predicate, resolve }));
  agent = await Agent.open({
    storageDir,
    cgroupParent,
    stopTimeoutMs: 200,
    onStatus: (status) => {
      if (waiter?.predicate(status)) waiter.resolve(status);
    },
  });
  const loop = agent.run();
  await agent.acceptTarget(desiredStatus(image, 0));
  while (!agent.status()?.services.some((service) => service.status === 'installed')) await sleep(20);

  const instanceId = createInstanceId(SERVICE_ID, SUBJECT_ID, 0);
  const agentMs = [];
  const baselineMs = [];
  for (let run = 0; run <= runs; run += 1) {
    const isActive = nextStatus((status) => status.instances[0]?.status === 'active');
    const started = performance.now();
    await agent.acceptTarget(desiredStatus(image, 1));
    await isActive;
    agentMs.push(performance.now() - started);

    if (run === 0) {
      // The baseline bundle: the agent's config.json over a copy of its overlay, own cgroup.
      const paths = instancePaths(agent.paths, instanceId);
      const spec = JSON.parse(await readFile(paths.config, 'utf8'));
      const lower = (await readFile('/proc/self/mountinfo', 'utf8'))
        .split('\n')
        .find((line) => line.split(' ')[4] === paths.rootfs)
        .match(/lowerdir=([^,]+)/)[1];
      for (const dir of ['rootfs', 'upper', 'work', 'mounts/etc'])
        await mkdir(join(baselineRoot, dir), { recursive: true });
      await copyFile(join(paths.mounts, 'etc/hosts'), join(baselineRoot, 'mounts/etc/hosts'));
      await copyFile(join(paths.mounts, 'etc/resolv.conf'), join(baselineRoot, 'mounts/etc/resolv.conf'));
      const baselineLower = lower.replace(paths.mounts, join(baselineRoot, 'mounts'));
      await execa('mount', [
        '-t',
        'overlay',
        'overlay',
        '-o',
        `lowerdir=${baselineLower},upperdir=${join(baselineRoot, 'upper')},workdir=${join(baselineRoot, 'work')}`,
        join(baselineRoot, 'rootfs'),
      ]);
      spec.root.path = join(baselineRoot, 'rootfs');
      spec.linux.cgroupsPath = `${cgroupParent}/baseline`;
      await writeFile(join(baselineRoot, 'config.json'), JSON.stringify(spec));
    }

    await agent.acceptTarget(desiredStatus(image, 0));
    while (
      (agent.status()?.instances.length ?? 1) > 0 ||
      (await execa('runc', ['--root', join(storageDir, 'runc'), 'list', '-q'])).stdout.trim() !== ''
    )
      await sleep(20);

    const log = await open(join(baselineRoot, 'out.log'), 'a');
    const baselineStarted = performance.now();
    await execa(
      'runc',
      [
        '--root',
        join(baselineRoot, 'runc'),
        'run',
        '-d',
        '--bundle',
        baselineRoot,
        '--pid-file',
        join(baselineRoot, 'pid'),
        'bench-baseline',
      ],
      { stdin: 'ignore', stdout: log.fd, stderr: log.fd },
    );
    baselineMs.push(performance.now() - baselineStarted);
    await log.close();
    await execa('runc', ['--root', join(baselineRoot, 'runc'), 'delete', '-f', 'bench-baseline']);
    if (run === 0) {
      agentMs.pop();
      baselineMs.pop();
      continue;
    }
    console.log(`run ${run}: agent ${agentMs.at(-1).toFixed(1)} ms, runc run -d ${baselineMs.at(-1).toFixed(1)} ms`);
  }
  const ratio = median(agentMs) / median(baselineMs);
  console.log(
    `agent desired status → active: median ${median(agentMs).toFixed(1)} ms; bare runc run -d: median ${median(baselineMs).toFixed(1)} ms; ratio ${ratio.toFixed(2)} (target ≤ 1.5)`,
  );
  agent.stop();
  await loop;

  // The real daemon on the same storage (the image stays installed).
  const daemon = execa(
    join(benchDirectory, '..', 'apps/agent/bin/aos-agent.js'),
    ['run', '--storage-dir', storageDir, '--cgroup-parent', cgroupParent],
    { reject: false, stdio: 'ignore' },
  );
  const agentDir = join(storageDir, 'agent');
  const readStatus = () => readFile(join(agentDir, 'status.json'), 'utf8').then(JSON.parse, () => undefined);
  const waitForStatus = (predicate) =>
    new Promise((resolve) => {
      const check = () =>
        void readStatus().then(
          (status) => status && predicate(status) && (watcher.close(), clearInterval(poll), resolve(status)),
        );
      const watcher = watch(agentDir, (_event, name) => name === 'status.json' && check());
      const poll = setInterval(check, 200);
      check();
    });
  // As `aos-agent apply` does: into the daemon's inbox, which it watches (inotify).
  const applyTarget = (count) => handOverTarget(agentFiles(agent.paths).inbox, desiredStatus(image, count));
  const daemonMs = [];
  try {
    for (let run = 0; run <= runs; run += 1) {
      await applyTarget(0);
      await waitForStatus((status) => status.instances.length === 0);
      while ((await execa('runc', ['--root', join(storageDir, 'runc'), 'list', '-q'])).stdout.trim() !== '')
        await sleep(20);
      await sleep(300);
      const started = performance.now();
      await applyTarget(1);
      await waitForStatus((status) => status.instances[0]?.status === 'active');
      if (run > 0) daemonMs.push(performance.now() - started);
    }
    console.log(
      `daemon inbox → status.json active: median ${median(daemonMs).toFixed(1)} ms; ratio to bare runc ${(median(daemonMs) / median(baselineMs)).toFixed(2)}`,
    );
    await applyTarget(0);
    await waitForStatus((status) => status.instances.length === 0);
  } finally {
    daemon.kill('SIGTERM');
    await daemon;
  }
} finally {
  await agent?.destroy().catch((error) => console.error(error));
  await execa('runc', ['--root', join(baselineRoot, 'runc'), 'delete', '-f', 'bench-baseline'], { reject: false });
  await cleanupStorage(root, cgroupParent);
}
