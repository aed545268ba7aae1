// Agent start latency: time from a desired status (image already installed) to the instance
// reported `active`, against a bare `runc run -d` of an equivalent bundle (the same config.json
// and an identically prepared overlay rootfs), alternately, BENCH_RUNS times (default 9) after
// one warm-up round of each that is not counted (JIT, page cache).
// Prints the ratio of the medians (target ≤ 1.5). Root only. Run after `pnpm build`.
import { copyFile, mkdir, readFile, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, createInstanceId, instancePaths } from '@openaos/agent';
import { execa } from 'execa';
import { buildBenchImage, cleanupStorage, desiredStatus, median, prepareStorage, requireRoot, SERVICE_ID, SUBJECT_ID, sleep } from './agent-lib.mjs';

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
  await agent.setTarget(desiredStatus(image, 0));
  while (!(await agent.status()).services.some((service) => service.status === 'installed')) await sleep(20);

  const instanceId = createInstanceId(SERVICE_ID, SUBJECT_ID, 0);
  const agentMs = [];
  const baselineMs = [];
  for (let run = 0; run <= runs; run += 1) {
    const isActive = nextStatus((status) => status.instances[0]?.status === 'active');
    const started = performance.now();
    await agent.setTarget(desiredStatus(image, 1));
    await isActive;
    agentMs.push(performance.now() - started);

    if (run === 0) {
      // The baseline bundle: the agent's config.json over a copy of its overlay, own cgroup.
      const paths = instancePaths(agent.paths, instanceId);
      const spec = JSON.parse(await readFile(paths.config, 'utf8'));
      const lower = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((line) => line.split(' ')[4] === paths.rootfs).match(/lowerdir=([^,]+)/)[1];
      for (const dir of ['rootfs', 'upper', 'work', 'mounts/etc']) await mkdir(join(baselineRoot, dir), { recursive: true });
      await copyFile(join(paths.mounts, 'etc/hosts'), join(baselineRoot, 'mounts/etc/hosts'));
      await copyFile(join(paths.mounts, 'etc/resolv.conf'), join(baselineRoot, 'mounts/etc/resolv.conf'));
      const baselineLower = lower.replace(paths.mounts, join(baselineRoot, 'mounts'));
      await execa('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${baselineLower},upperdir=${join(baselineRoot, 'upper')},workdir=${join(baselineRoot, 'work')}`, join(baselineRoot, 'rootfs')]);
      spec.root.path = join(baselineRoot, 'rootfs');
      spec.linux.cgroupsPath = `${cgroupParent}/baseline`;
      await writeFile(join(baselineRoot, 'config.json'), JSON.stringify(spec));
    }

    await agent.setTarget(desiredStatus(image, 0));
    while ((await agent.status()).instances.length > 0 || (await execa('runc', ['--root', join(storageDir, 'runc'), 'list', '-q'])).stdout.trim() !== '') await sleep(20);

    const log = await open(join(baselineRoot, 'out.log'), 'a');
    const baselineStarted = performance.now();
    await execa('runc', ['--root', join(baselineRoot, 'runc'), 'run', '-d', '--bundle', baselineRoot, '--pid-file', join(baselineRoot, 'pid'), 'bench-baseline'], { stdin: 'ignore', stdout: log.fd, stderr: log.fd });
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
  console.log(`agent desired status → active: median ${median(agentMs).toFixed(1)} ms; bare runc run -d: median ${median(baselineMs).toFixed(1)} ms; ratio ${ratio.toFixed(2)} (target ≤ 1.5)`);
  agent.stop();
  await loop;
} finally {
  await agent?.destroy().catch((error) => console.error(error));
  await execa('runc', ['--root', join(baselineRoot, 'runc'), 'delete', '-f', 'bench-baseline'], { reject: false });
  await cleanupStorage(root, cgroupParent);
}
