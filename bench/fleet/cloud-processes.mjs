// The clouds the fleet bench runs against: the built server (apps/cloud/dist/server.js, as
// `pnpm start` runs it) as child processes on free loopback ports, on one PostgreSQL database and
// one data directory (the CA and blobs they share), each with the memory probe (cloud-probe.mjs).
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { clearTimeout, setTimeout } from 'node:timers';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cloudDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'apps', 'cloud');
const probe = join(dirname(fileURLToPath(import.meta.url)), 'cloud-probe.mjs');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Start one cloud; resolves once it listens. `measure()` asks it for its memory after a GC. */
export async function startCloud({ dataDir, databaseUrl, adminPassword, extraEnv = {}, profileDir }) {
  if (!existsSync(join(cloudDirectory, 'dist', 'server.js'))) {
    throw new Error('the cloud is not built: run `pnpm build` first');
  }
  const port = await freePort();
  const child = fork(join(cloudDirectory, 'dist', 'server.js'), [], {
    cwd: cloudDirectory,
    execArgv: ['--expose-gc', '--import', probe, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      OPENAOS_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl ?? '',
      OPENAOS_ADMIN_PASSWORD: adminPassword,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    const check = () => {
      if (output.includes('listening on')) resolve();
    };
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`the cloud exited (${code}) before listening:\n${output}`)));
  });
  let nextId = 0;
  /** One request to the probe over IPC; resolves with its answer of type `answer`. */
  const ask = (message, answer) => {
    const id = nextId++;
    return new Promise((resolve) => {
      const listener = (reply) => {
        if (reply?.type !== answer || reply.id !== id) return;
        child.off('message', listener);
        resolve(reply);
      };
      child.on('message', listener);
      child.send({ ...message, id });
    });
  };
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    output: () => output,
    /** RSS, heap and external bytes of the cloud process after two full GCs, and its CPU time so far (`cpuMs`). */
    measure() {
      return ask({ type: 'measure' }, 'memory');
    },
    /** Start a V8 CPU profile of this process (cloud-probe.mjs). */
    startProfile() {
      return ask({ type: 'profile-start' }, 'profile-started');
    },
    /** Stop the profile started by startProfile and write it (.cpuprofile JSON) to `path`. */
    stopProfile(path) {
      return ask({ type: 'profile-stop', path }, 'profile-stopped');
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
