// The baselines the OpenAos steps are compared with: what a shell script would do.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.error}`);
  return result.stdout;
}

/** Single-quote a path for sh. */
const quote = (text) => `'${String(text).replaceAll("'", "'\\''")}'`;

/** Cores pigz may use: the same count the OpenAos steps see. */
export const PIGZ_THREADS = availableParallelism();

/** Is pigz installed? (scripts/setup installs it; without it the pigz baselines are skipped.) */
export function hasPigz() {
  return spawnSync('pigz', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** `tar -cz` of meta/ and src/ + `openssl dgst -sha3-512` of the result (≈ aos sign). Milliseconds. */
export function timeTarAndSha3(serviceDirectory, outputPath) {
  const start = performance.now();
  run('tar', ['-czf', outputPath, '-C', serviceDirectory, 'meta', 'src']);
  run('openssl', ['dgst', '-sha3-512', outputPath]);
  return performance.now() - start;
}

/** `tar -c meta src | pigz -p <cores>` + `openssl dgst -sha3-512` (≈ aos sign, on every core). Milliseconds. */
export function timeTarPigzAndSha3(serviceDirectory, outputPath) {
  const start = performance.now();
  run('bash', [
    '-o',
    'pipefail',
    '-c',
    `tar -c -C ${quote(serviceDirectory)} meta src | pigz -p ${PIGZ_THREADS} > ${quote(outputPath)}`,
  ]);
  run('openssl', ['dgst', '-sha3-512', outputPath]);
  return performance.now() - start;
}

/** `tar -cz` of src/ + `sha256sum` of the result (≈ building a rootfs layer). Milliseconds. */
export function timeTarAndSha256(serviceDirectory, outputPath) {
  const start = performance.now();
  run('tar', ['-czf', outputPath, '-C', serviceDirectory, 'src']);
  run('sha256sum', [outputPath]);
  return performance.now() - start;
}

/** `tar -c src | pigz -p <cores>` + `sha256sum` (≈ building a rootfs layer, on every core). Milliseconds. */
export function timeTarPigzAndSha256(serviceDirectory, outputPath) {
  const start = performance.now();
  run('bash', ['-o', 'pipefail', '-c', `tar -c -C ${quote(serviceDirectory)} src | pigz -p ${PIGZ_THREADS} > ${quote(outputPath)}`]);
  run('sha256sum', [outputPath]);
  return performance.now() - start;
}

/** Read every file once so the first timed run does not pay for a cold page cache. */
export function warmPageCache(directory) {
  run('sh', ['-c', `find "${directory}" -type f -exec cat {} + > /dev/null`]);
}
