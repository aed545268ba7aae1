// The baselines the OpenAos steps are compared with: what a shell script would do.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.error}`);
  return result.stdout;
}

/** `tar -cz` of meta/ and src/ + `openssl dgst -sha3-512` of the result (≈ aos sign). Milliseconds. */
export function timeTarAndSha3(serviceDirectory, outputPath) {
  const start = performance.now();
  run('tar', ['-czf', outputPath, '-C', serviceDirectory, 'meta', 'src']);
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

/** Read every file once so the first timed run does not pay for a cold page cache. */
export function warmPageCache(directory) {
  run('sh', ['-c', `find "${directory}" -type f -exec cat {} + > /dev/null`]);
}
