// The baselines the OpenAos steps are compared with: what a shell script would do.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.error}`);
  return result.stdout;
}

/** CPU milliseconds (user + system) of the waited-for child processes so far (/proc/self/stat cutime + cstime). */
export function childrenCpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  // After the command name: state is field 3, cutime field 16 and cstime field 17 (clock ticks, 100 Hz).
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Run a baseline; returns its wall milliseconds and the CPU milliseconds of its processes. */
function measure(body) {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  body();
  return { milliseconds: performance.now() - start, cpuMs: childrenCpuMs() - cpuBefore };
}

/** Single-quote a path for sh. */
const quote = (text) => `'${String(text).replaceAll("'", "'\\''")}'`;

/** Cores pigz may use: the same count the OpenAos steps see. */
export const PIGZ_THREADS = availableParallelism();

/** Is pigz installed? (scripts/setup installs it; without it the pigz baselines are skipped.) */
export function hasPigz() {
  return spawnSync('pigz', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** `tar -cz` of meta/ and src/ + `openssl dgst -sha3-512` of the result (≈ aos sign). { milliseconds, cpuMs }. */
export function timeTarAndSha3(serviceDirectory, outputPath) {
  return measure(() => {
    run('tar', ['-czf', outputPath, '-C', serviceDirectory, 'meta', 'src']);
    run('openssl', ['dgst', '-sha3-512', outputPath]);
  });
}

/** `tar -c meta src | pigz -p <cores>` + `openssl dgst -sha3-512` (≈ aos sign, on every core). { milliseconds, cpuMs }. */
export function timeTarPigzAndSha3(serviceDirectory, outputPath) {
  return measure(() => {
    run('bash', [
      '-o',
      'pipefail',
      '-c',
      `tar -c -C ${quote(serviceDirectory)} meta src | pigz -p ${PIGZ_THREADS} > ${quote(outputPath)}`,
    ]);
    run('openssl', ['dgst', '-sha3-512', outputPath]);
  });
}

/** `tar -cz` of src/ + `sha256sum` of the result (≈ building a rootfs layer). { milliseconds, cpuMs }. */
export function timeTarAndSha256(serviceDirectory, outputPath) {
  return measure(() => {
    run('tar', ['-czf', outputPath, '-C', serviceDirectory, 'src']);
    run('sha256sum', [outputPath]);
  });
}

/** `tar -c src | pigz -p <cores>` + `sha256sum` (≈ building a rootfs layer, on every core). { milliseconds, cpuMs }. */
export function timeTarPigzAndSha256(serviceDirectory, outputPath) {
  return measure(() => {
    run('bash', [
      '-o',
      'pipefail',
      '-c',
      `tar -c -C ${quote(serviceDirectory)} src | pigz -p ${PIGZ_THREADS} > ${quote(outputPath)}`,
    ]);
    run('sha256sum', [outputPath]);
  });
}

/** Read every file once so the first timed run does not pay for a cold page cache. */
export function warmPageCache(directory) {
  run('sh', ['-c', `find "${directory}" -type f -exec cat {} + > /dev/null`]);
}
