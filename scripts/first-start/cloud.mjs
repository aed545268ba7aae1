// The cloud as a child process: the built server (apps/cloud/dist/server.js) on its embedded
// PGlite in <data>/cloud (or PostgreSQL with DATABASE_URL), its output appended to cloud.log.
// It runs in its own process group, so a Ctrl-C reaches only the start, which stops the unit
// first and the cloud last.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readTail } from './log-tail.mjs';

/** A guard against a hung start, not a measure: a start takes 5–30 s, more on a busy machine. */
const START_TIMEOUT_MS = 240_000;

/**
 * @param {{ repoRoot: string, cloudDir: string, logFile: string, port: number, adminPassword: string,
 *   isStopping: () => boolean }} options
 */
export async function startCloud(options) {
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: join(options.repoRoot, 'apps', 'cloud'),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(options.port),
      OPENAOS_DATA_DIR: options.cloudDir,
      // Used only when the cloud creates the admin (its first start); harmless after.
      OPENAOS_ADMIN_PASSWORD: options.adminPassword,
    },
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await isAnswering(`${url}/api/trpc/system.info`))) {
    if (hasExited() || options.isStopping()) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      break;
    }
    await sleep(250);
  }
  const cloud = {
    url,
    hasExited,
    exited,
    /** SIGTERM (the cloud marks its units offline and closes the database), then wait. */
    async stop() {
      if (!hasExited()) child.kill('SIGTERM');
      await exited;
    },
  };
  if (hasExited() || !(await isAnswering(`${url}/api/trpc/system.info`))) {
    await cloud.stop();
    if (options.isStopping()) return undefined;
    throw new Error(
      `the cloud did not start (see ${options.logFile}); its last lines:\n${await readTail(options.logFile, 20)}`,
    );
  }
  return cloud;
}

/** @param {string} url */
async function isAnswering(url) {
  try {
    const response = await globalThis.fetch(url, { signal: globalThis.AbortSignal.timeout(5000) });
    return response.ok;
  } catch {
    return false;
  }
}
