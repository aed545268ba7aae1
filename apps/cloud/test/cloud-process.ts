/**
 * Tests only: the built cloud (dist/server.js + .next, from `pnpm build`) as a real child process
 * on a free port, so a test can talk HTTP to it, kill it and start it again on the same data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedPgliteDataDir } from '@openaos/db';

export const appDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');

// Servers this test process started; any still running when it exits (a test that timed out
// before it could stop them) are killed with it, so none outlives the run.
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** The time a hook that starts the cloud may take: the start's own guard plus a margin. */
export const CLOUD_START_TIMEOUT_MS = 240_000;

export interface CloudProcess {
  process: ChildProcess;
  url: string;
  output(): string;
  /** SIGKILL: no shutdown code runs, as in a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

/** Start the built server with the environment given (on top of ours) and wait until it listens. */
export async function startCloudProcess(options: {
  dataDir: string;
  port?: number;
  env?: Record<string, string>;
}): Promise<CloudProcess> {
  if (!existsSync(join(appDirectory, 'dist', 'server.js')) || !existsSync(join(appDirectory, '.next', 'BUILD_ID'))) {
    throw new Error(
      'the cloud is not built: run `pnpm build` (or `pnpm --filter @openaos/cloud build`) before this test',
    );
  }
  const port = options.port ?? (await findFreePort());
  // On the embedded database, a new data directory gets an empty migrated database copied from a
  // template instead of running initdb (5–10 s of CPU each time; the cloud's start is the same).
  if (!options.env?.DATABASE_URL) await seedPgliteDataDir(options.dataDir);
  let output = '';
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: appDirectory,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      OPENAOS_DATA_DIR: options.dataDir,
      DATABASE_URL: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  started.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      started.delete(child);
      resolve();
    }),
  );
  // A guard against a hung start, not a measure: a start takes 5–30 s, far more on a crowded machine.
  const deadline = Date.now() + 180_000;
  while (!output.includes('listening on')) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the cloud exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the cloud did not start within 180 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    process: child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}
