#!/usr/bin/env node
// `pnpm test`: build (turbo; a cache hit after `pnpm build`), then the checks (typecheck, then
// lint) and every test (vitest) at the same time: the tests spend most of their time waiting on
// runc, child processes, Chromium and PostgreSQL, which leaves the CPU free for the checks.
// The checks' output is printed in one block when they finish; the exit status is non-zero when
// the build, a check or a test failed. Extra arguments go to vitest (`node scripts/test.mjs --project unit`).
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url);

/** Run a command; stream its output, or collect it (returned) when `quiet`. */
function run(command, args, { quiet = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.once('error', (error) => resolve({ code: 1, output: `${output}\n${command}: ${error.message}\n` }));
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const seconds = (start) => `${Math.round((Date.now() - start) / 1000)} s`;
const started = Date.now();

const build = await run('pnpm', ['exec', 'turbo', 'run', 'build']);
if (build.code !== 0) {
  console.error('test: the build failed (above); nothing was tested');
  process.exit(build.code);
}

const checks = (async () => {
  const start = Date.now();
  const steps = [
    ['typecheck', ['exec', 'turbo', 'run', 'typecheck', '--concurrency=1', '--output-logs=errors-only']],
    ['lint', ['run', 'lint']],
  ];
  for (const [name, args] of steps) {
    const result = await run('pnpm', args, { quiet: true });
    if (result.code !== 0) {
      process.stdout.write(
        `\n==== test: ${name} FAILED (${seconds(start)}) ====\n${result.output}\n==== end of ${name} ====\n`,
      );
      return { name, code: result.code };
    }
  }
  process.stdout.write(`\n==== test: typecheck and lint passed (${seconds(start)}) ====\n`);
  return { name: 'typecheck and lint', code: 0 };
})();

const testsStart = Date.now();
const tests = await run('pnpm', ['exec', 'vitest', 'run', ...process.argv.slice(2)]);
const checked = await checks;
console.log(
  `test: ${checked.name} ${checked.code === 0 ? 'passed' : 'FAILED (see its block above)'}; ` +
    `tests ${tests.code === 0 ? 'passed' : 'FAILED'} (${seconds(testsStart)}); ${seconds(started)} in all`,
);
process.exit(checked.code !== 0 ? checked.code : tests.code);
