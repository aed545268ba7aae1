// OpenAos benchmark: `aos sign` and the cloud's image build against tar/gzip + digest baselines,
// and the packager's peak memory on two tree sizes. See README.md. Run after `pnpm build`.
//   node run.mjs [--json] [--profile] [--no-memory]     env: BENCH_RUNS (3), BENCH_SIZE_MB (200)
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  hasPigz,
  PIGZ_THREADS,
  timeTarAndSha256,
  timeTarAndSha3,
  timeTarPigzAndSha256,
  timeTarPigzAndSha3,
  warmPageCache,
} from './lib/baseline.mjs';
import { generateServiceTree } from './lib/generate-tree.mjs';
import { createBenchCredentials, timeBuildImage, timeBuildPackage } from './lib/openaos-steps.mjs';
import { summarizeCpuProfile } from './lib/summarize-profile.mjs';

const benchDirectory = dirname(fileURLToPath(import.meta.url));
const workDirectory = join(benchDirectory, '.work');
const outputDirectory = join(workDirectory, 'out');
const isJson = process.argv.includes('--json');
const wantsProfile = process.argv.includes('--profile');
const skipsMemory = process.argv.includes('--no-memory');
const runs = readPositiveInteger('BENCH_RUNS', 3);
const sizeMiB = readPositiveInteger('BENCH_SIZE_MB', 200);

function readPositiveInteger(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return number;
}

function log(message) {
  if (!isJson) process.stdout.write(`${message}\n`);
  else process.stderr.write(`${message}\n`);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Time ours and the baselines alternately, `runs` times; a ratio is ours / baseline per run:
 * `ratio` against single-threaded gzip, `pigzRatio` against pigz on as many cores as we have
 * (when pigz is installed), and `pigzCpuRatio`: CPU time (every thread and process) against
 * pigz's, which a busy machine moves much less than wall time. Each median is of the per-run ratios.
 */
async function compare(name, measureOurs, measureBaseline, measurePigz) {
  const rows = [];
  for (let run = 1; run <= runs; run += 1) {
    const { milliseconds: oursMs, cpuMs: oursCpuMs, phases } = await measureOurs();
    const baseline = measureBaseline();
    const pigz = measurePigz === undefined ? undefined : measurePigz();
    rows.push({
      run,
      oursMs: round(oursMs),
      oursCpuMs: round(oursCpuMs),
      baselineMs: round(baseline.milliseconds),
      baselineCpuMs: round(baseline.cpuMs),
      ratio: round(oursMs / baseline.milliseconds, 2),
      ...(pigz === undefined
        ? {}
        : {
            pigzMs: round(pigz.milliseconds),
            pigzCpuMs: round(pigz.cpuMs),
            pigzRatio: round(oursMs / pigz.milliseconds, 2),
            pigzCpuRatio: round(oursCpuMs / pigz.cpuMs, 2),
          }),
      phases,
      // The 1-minute load average after the run: on a shared machine the figures mean little without it.
      loadAverage: round(loadavg()[0], 1),
    });
    const split = Object.entries(phases)
      .map(([phase, ms]) => `${phase} ${ms}`)
      .join(', ');
    const pigzText =
      pigz === undefined
        ? ''
        : `; pigz -p ${PIGZ_THREADS} ${round(pigz.milliseconds)} ms (CPU ${round(pigz.cpuMs)} ms), ratio ${round(oursMs / pigz.milliseconds, 2)}, CPU ratio ${round(oursCpuMs / pigz.cpuMs, 2)}`;
    log(
      `  ${name} run ${run}: openaos ${round(oursMs)} ms, CPU ${round(oursCpuMs)} ms (${split}); gzip ${round(baseline.milliseconds)} ms, ratio ${round(oursMs / baseline.milliseconds, 2)}${pigzText}; load ${loadavg()[0].toFixed(1)}`,
    );
  }
  return {
    runs: rows,
    medianOursMs: median(rows.map((row) => row.oursMs)),
    medianBaselineMs: median(rows.map((row) => row.baselineMs)),
    medianRatio: median(rows.map((row) => row.ratio)),
    ...(measurePigz === undefined
      ? {}
      : {
          medianPigzMs: median(rows.map((row) => row.pigzMs)),
          medianPigzRatio: median(rows.map((row) => row.pigzRatio)),
          medianPigzCpuRatio: median(rows.map((row) => row.pigzCpuRatio)),
        }),
  };
}

/** Run one step in a child process; returns { milliseconds, maxRssKiB } (and a profile path with --cpu-prof). */
async function runChild(args, { profileDirectory, heapLimitMiB } = {}) {
  const nodeArgs = [
    ...(profileDirectory ? ['--cpu-prof', '--cpu-prof-dir', profileDirectory] : []),
    ...(heapLimitMiB ? [`--max-old-space-size=${heapLimitMiB}`] : []),
  ];
  const output = execFileSync(process.execPath, [...nodeArgs, join(benchDirectory, 'lib', 'child.mjs'), ...args], {
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').pop());
}

async function profileStep(name, args) {
  const directory = join(workDirectory, 'profiles', name);
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  await runChild(args, { profileDirectory: directory });
  const [file] = (await readdir(directory)).filter((entry) => entry.endsWith('.cpuprofile'));
  return { profile: join(directory, file), top: await summarizeCpuProfile(join(directory, file)) };
}

await mkdir(outputDirectory, { recursive: true });
const credentials = createBenchCredentials();
const rootPemPath = join(workDirectory, 'root.pem');
await writeFile(rootPemPath, credentials.rootPem);

log(
  `OpenAos bench: ${sizeMiB} MiB tree, ${runs} runs, ${cpus().length} cores, node ${process.version}, load ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')}`,
);
const tree = await generateServiceTree(workDirectory, sizeMiB, credentials.p12);
log(`tree: ${tree.files} files, ${round(tree.bytes / 1048576, 1)} MiB in ${tree.directory}`);
warmPageCache(tree.directory);
const withPigz = hasPigz();
if (!withPigz)
  log('pigz is not installed (scripts/setup installs it): only the single-core gzip baselines are measured');

const packagePath = join(outputDirectory, 'service.tar.gz');
log(`(a) aos sign (buildServicePackage) vs tar -cz (and tar | pigz -p ${PIGZ_THREADS}) + openssl dgst -sha3-512`);
const sign = await compare(
  'sign',
  () => timeBuildPackage(tree.directory, packagePath),
  () => timeTarAndSha3(tree.directory, join(outputDirectory, 'baseline-sign.tar.gz')),
  withPigz ? () => timeTarPigzAndSha3(tree.directory, join(outputDirectory, 'baseline-sign-pigz.tar.gz')) : undefined,
);
sign.packageBytes = (await stat(packagePath)).size;
sign.baselineBytes = (await stat(join(outputDirectory, 'baseline-sign.tar.gz'))).size;

log(
  `(b) image build (verifyServicePackage + buildServiceImage) vs tar -cz (and tar | pigz -p ${PIGZ_THREADS}) + sha256sum`,
);
const storeDirectory = join(workDirectory, 'store');
const image = await compare(
  'image',
  () => timeBuildImage(packagePath, credentials.rootPem, storeDirectory),
  () => timeTarAndSha256(tree.directory, join(outputDirectory, 'baseline-image.tar.gz')),
  withPigz
    ? () => timeTarPigzAndSha256(tree.directory, join(outputDirectory, 'baseline-image-pigz.tar.gz'))
    : undefined,
);

let memory;
let heapCapped;
if (!skipsMemory) {
  log('(c) peak memory (maxRSS of a child process doing one step)');
  memory = [];
  for (const size of [...new Set([Math.max(1, Math.round(sizeMiB / 4)), sizeMiB])]) {
    const sized = await generateServiceTree(workDirectory, size, credentials.p12);
    const sizedPackage = join(outputDirectory, `memory-${size}.tar.gz`);
    const pack = await runChild(['pack', sized.directory, sizedPackage]);
    const built = await runChild(['image', sizedPackage, rootPemPath, join(workDirectory, `store-memory-${size}`)]);
    memory.push({
      treeMiB: round(sized.bytes / 1048576, 1),
      files: sized.files,
      packMaxRssMiB: round(pack.maxRssKiB / 1024, 1),
      imageMaxRssMiB: round(built.maxRssKiB / 1024, 1),
    });
    log(
      `  ${round(sized.bytes / 1048576)} MiB tree (${sized.files} files): sign max RSS ${round(pack.maxRssKiB / 1024, 1)} MiB, image build max RSS ${round(built.maxRssKiB / 1024, 1)} MiB`,
    );
  }
  // RSS above includes whatever heap V8 chose to keep; a hard cap on the JS heap shows what is needed.
  const HEAP_LIMIT_MIB = 32;
  const cappedPackage = join(outputDirectory, 'memory-capped.tar.gz');
  const cappedPack = await runChild(['pack', tree.directory, cappedPackage], { heapLimitMiB: HEAP_LIMIT_MIB });
  const cappedImage = await runChild(
    ['image', cappedPackage, rootPemPath, join(workDirectory, 'store-memory-capped')],
    {
      heapLimitMiB: HEAP_LIMIT_MIB,
    },
  );
  heapCapped = {
    heapLimitMiB: HEAP_LIMIT_MIB,
    treeMiB: round(tree.bytes / 1048576, 1),
    packMaxRssMiB: round(cappedPack.maxRssKiB / 1024, 1),
    imageMaxRssMiB: round(cappedImage.maxRssKiB / 1024, 1),
  };
  log(
    `  ${heapCapped.treeMiB} MiB tree with --max-old-space-size=${HEAP_LIMIT_MIB}: both steps succeed; sign max RSS ${heapCapped.packMaxRssMiB} MiB, image build max RSS ${heapCapped.imageMaxRssMiB} MiB`,
  );
}

let profiles;
const worstRatio = (step) => Math.max(step.medianRatio, step.medianPigzRatio ?? 0);
if (wantsProfile || worstRatio(sign) > 1 || worstRatio(image) > 1) {
  log('profile (self time, top functions):');
  profiles = {
    sign: await profileStep('sign', ['pack', tree.directory, join(outputDirectory, 'profile.tar.gz')]),
    image: await profileStep('image', ['image', packagePath, rootPemPath, join(workDirectory, 'store-profile')]),
  };
  for (const [name, { top }] of Object.entries(profiles)) {
    log(`  ${name}:`);
    for (const entry of top)
      log(`    ${String(entry.selfMs).padStart(6)} ms ${String(entry.percent).padStart(5)} %  ${entry.name}`);
  }
}

const result = {
  date: new Date().toISOString(),
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    loadAverage: loadavg().map((value) => round(value, 1)),
  },
  tree: { sizeMiB: round(tree.bytes / 1048576, 1), files: tree.files },
  runs,
  sign,
  image,
  ...(memory && { memory, heapCapped }),
  ...(profiles && { profiles }),
};
const pigzSummary = (step) =>
  step.medianPigzRatio === undefined
    ? ''
    : ` (pigz -p ${PIGZ_THREADS}: ${step.medianPigzRatio}, CPU ${step.medianPigzCpuRatio})`;
log(
  `median ratio against gzip (pigz): sign ${sign.medianRatio}${pigzSummary(sign)}, image ${image.medianRatio}${pigzSummary(image)} (below 1.0: faster than the baseline)`,
);
if (isJson) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
