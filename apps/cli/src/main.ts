import { readEnvironment } from './env.js';
import { runCli } from './program.js';

// A reader that stops early (`aos logs … | head`) closes the pipe: that is the end of the output, not a
// crash (Node would throw EPIPE from the next write). Exit as `head` expects; keep other errors.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

/** The `aos` executable (bin/aos.js imports this): run, then set the exit code. */
async function main(): Promise<void> {
  let env;
  try {
    env = readEnvironment();
  } catch (error) {
    process.stderr.write(`aos: ${(error as Error).message}\n`);
    process.exitCode = 64;
    return;
  }
  process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, env);
}

await main();
