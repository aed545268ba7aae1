// A terminal session for the docs: one bash process in a scratch folder that runs the docs'
// commands one after the other (so `cd` and `export` carry over, as for a reader), with `aos`
// and `aos-agent` aliased as in the docs, and servers started beside it. Every command's
// output (stdout and stderr, interleaved as a terminal shows them) and exit code are kept;
// `emit` turns chosen commands into a named transcript, normalised at the end.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createNormaliser } from './normaliser.mjs';

/**
 * @typedef {object} CommandResult
 * @property {string} command the command as run
 * @property {string} output stdout and stderr together, without the last newline
 * @property {number} exitCode
 */

/**
 * @typedef {object} Server
 * @property {CommandResult} result the start command and what it printed until it was ready
 * @property {() => Promise<void>} stop SIGTERM, then wait for it to exit (SIGKILL after 20 s)
 */

const COMMAND_TIMEOUT_MS = 120_000;
const SERVER_TIMEOUT_MS = 180_000;

/**
 * @param {{ repoRoot: string, name: string, displayRoot: string }} options `displayRoot` is the
 *   folder the docs show instead of the scratch folder (`/tmp/docs-gs`)
 */
export async function createSession(options) {
  const sandbox = await mkdtemp(join(tmpdir(), `openaos-docs-${options.name}-`));
  const normaliser = createNormaliser();
  normaliser.replace(sandbox, options.displayRoot);
  normaliser.replace(options.repoRoot, '<openaos>');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: sandbox,
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    NO_COLOR: '1',
    TERM: 'dumb',
    ...(process.env.TEST_DATABASE_URL ? { TEST_DATABASE_URL: process.env.TEST_DATABASE_URL } : {}),
  };
  const shell = spawn('bash', ['--noprofile', '--norc'], { cwd: sandbox, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let shellOutput = '';
  let shellErrors = '';
  shell.stdout.setEncoding('utf8').on('data', (chunk) => (shellOutput += chunk));
  shell.stderr.setEncoding('utf8').on('data', (chunk) => (shellErrors += chunk));
  const exited = new Promise((resolve) => shell.once('close', resolve));
  shell.stdin.on('error', () => {}); // a shell that died is reported by the command waiting for it
  // Aliases, as the docs define them: `aos-agent run … &` is then the node process itself,
  // which `kill %1` stops (with a shell function it would stop only the subshell).
  shell.stdin.write(
    'shopt -s expand_aliases\n' +
      `alias aos=${quote(`node ${join(options.repoRoot, 'apps/cli/bin/aos.js')}`)}\n` +
      `alias aos-agent=${quote(`node ${join(options.repoRoot, 'apps/agent/bin/aos-agent.js')}`)}\n`,
  );

  /** @type {Map<string, string>} */
  const transcripts = new Map();
  /** @type {Server[]} */
  const servers = [];
  /** @type {(() => Promise<void>)[]} */
  const cleanups = [];
  let isClosed = false;

  return {
    sandbox,
    normaliser,

    /**
     * Run a command in the session's shell and wait for it.
     * @param {string} command
     * @param {{ exitCode?: number }} [expect] the exit code it must end with (0)
     * @returns {Promise<CommandResult>}
     */
    async run(command, expect = {}) {
      const sentinel = `__docs_done_${randomBytes(8).toString('hex')}__`;
      const start = shellOutput.length;
      shell.stdin.write(`{ ${command}\n} </dev/null 2>&1; printf '\\n%s %d\\n' ${sentinel} "$?"\n`);
      const ending = new RegExp(`\\n${sentinel} (\\d+)\\n`);
      const deadline = Date.now() + COMMAND_TIMEOUT_MS;
      let match = ending.exec(shellOutput.slice(start));
      while (!match) {
        if (shell.exitCode !== null || Date.now() > deadline)
          throw new Error(
            `running \`${command}\` for the docs: ${shell.exitCode !== null ? `the shell exited (${shell.exitCode})` : `no end after ${COMMAND_TIMEOUT_MS / 1000} s`}; output so far:\n${shellOutput.slice(start)}${shellErrors}`,
          );
        await sleep(20);
        match = ending.exec(shellOutput.slice(start));
      }
      const output = shellOutput.slice(start, start + match.index).replace(/\n$/, '');
      const result = { command, output, exitCode: Number(match[1]) };
      const wanted = expect.exitCode ?? 0;
      if (result.exitCode !== wanted)
        throw new Error(
          `running \`${command}\` for the docs: exit code ${result.exitCode}, expected ${wanted}; it printed:\n${output}`,
        );
      return result;
    },

    /**
     * Start a server with `bash -c` in `cwd` and wait until `isReady()` says it serves.
     * @param {string} command
     * @param {{ cwd: string, isReady: () => Promise<boolean> }} options
     * @returns {Promise<Server>}
     */
    async start(command, { cwd, isReady }) {
      const child = spawn('bash', ['-c', `exec 2>&1; ${command}`], {
        cwd,
        env: { ...env, PWD: cwd },
        detached: true,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
      const childExited = new Promise((resolve) => child.once('close', resolve));
      const stop = async () => {
        if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
        const killed = sleep(20_000, undefined, { ref: false }).then(() => {
          if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
        });
        await Promise.race([childExited, killed]);
      };
      const server = { result: { command, output: '', exitCode: 0 }, stop };
      servers.push(server);
      const deadline = Date.now() + SERVER_TIMEOUT_MS;
      while (!(await isReady().catch(() => false))) {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(
            `starting \`${command}\` for the docs: ${child.exitCode !== null ? `it exited (${child.exitCode})` : `not ready after ${SERVER_TIMEOUT_MS / 1000} s`}; it printed:\n${output}`,
          );
        await sleep(100);
      }
      // What it printed before it served is in the pipe already; read until nothing more comes.
      for (let seen = -1; seen !== output.length; ) {
        seen = output.length;
        await sleep(200);
      }
      server.result.output = output.replace(/\n$/, '');
      return server;
    },

    /**
     * Keep commands as the transcript `name` (the output block of that name in the docs).
     * @param {string} name
     * @param {...CommandResult} results
     */
    emit(name, ...results) {
      if (transcripts.has(name))
        throw new Error(`docs output "${name}" is emitted twice: give each block its own name`);
      transcripts.set(
        name,
        results.map((result) => `$ ${result.command}${result.output ? `\n${result.output}` : ''}`).join('\n'),
      );
    },

    /** The transcripts, normalised (every value named by now applies to every transcript). */
    transcripts() {
      return new Map([...transcripts].map(([name, text]) => [name, normaliser.apply(text)]));
    },

    /**
     * Undo what a scenario set up outside the scratch folder (a daemon, mounts) when the
     * session closes, whether the scenario finished or failed. Last registered runs first.
     * @param {() => Promise<void>} cleanup
     */
    onClose(cleanup) {
      cleanups.unshift(cleanup);
    },

    /** Run the cleanups, stop the servers, end the shell, remove the scratch folder. */
    async close() {
      if (isClosed) return;
      isClosed = true;
      for (const cleanup of cleanups) await cleanup();
      for (const server of servers) await server.stop();
      shell.stdin.end('exit\n');
      await Promise.race([exited, sleep(10_000, undefined, { ref: false }).then(() => shell.kill('SIGKILL'))]);
      // Never delete through a mount (the agent binds the host's root into its storage).
      const mounts = (await readFile('/proc/self/mounts', 'utf8').catch(() => ''))
        .split('\n')
        .map((line) => line.split(' ')[1] ?? '')
        .filter((point) => point === sandbox || point.startsWith(`${sandbox}/`));
      if (mounts.length > 0)
        throw new Error(
          `docs session ${options.name}: ${mounts.join(', ')} still mounted; unmount, then remove ${sandbox}`,
        );
      await rm(sandbox, { recursive: true, force: true });
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof createSession>>} Session */

/**
 * A free TCP port on 127.0.0.1 for a server the session starts.
 * @returns {Promise<number>}
 */
export function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** @param {string} text */
export function quote(text) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * Whether an HTTP server answers `url` with a 2xx status.
 * @param {string} url
 * @returns {Promise<boolean>}
 */
export function isAnswering(url) {
  return new Promise((resolve) => {
    const request = get(url, (response) => {
      response.resume();
      resolve((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300);
    });
    request.once('error', () => resolve(false));
    request.setTimeout(10_000, () => request.destroy());
  });
}
