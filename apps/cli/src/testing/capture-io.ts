import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvironment, type CliEnvironment } from '../env.js';
import { runCli, type CliIo } from '../program.js';

/** stdout/stderr that keep what was written, for asserting on the CLI's output. */
export function captureIo(options: { isTTY?: boolean } = {}): CliIo & { out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.isTTY ?? false, columns: 100 },
    out: () => stdout,
    err: () => stderr,
  };
}

/** A throwaway AOS_HOME and working folder; `cleanup` removes both. */
export async function createSandbox(): Promise<{
  root: string;
  aosHome: string;
  env: CliEnvironment;
  cleanup: () => Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), 'openaos-cli-'));
  const aosHome = join(root, 'aos-home');
  return {
    root,
    aosHome,
    env: readEnvironment({ AOS_HOME: aosHome }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Run `aos <argv>` in-process; returns the exit code and what was printed. */
export async function runAos(
  argv: string[],
  env: CliEnvironment,
  options: { isTTY?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo(options);
  const code = await runCli(argv, io, env);
  return { code, stdout: io.out(), stderr: io.err() };
}
