import { readEnvironment } from './env.js';
import { runCli } from './program.js';

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
