// scripts/start as a new user runs it (as root, after `pnpm build`), in a throwaway data folder:
// the first start makes the demo through the product's own paths and the local unit reports hello
// world active in the cloud; SIGINT (Ctrl-C) leaves no container process, mount, cgroup or loop
// device of its own; a second start keeps the data (the counter in the service's /storage goes
// on), makes nothing twice and prints no password again; --no-demo is an installation with only
// the admin.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startPaths } from './paths.mjs';
import { mountsUnder } from './unit.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
/** Guards against a hang, not measures: each wait returns as soon as its condition holds. */
const START_TIMEOUT_MS = 400_000;
const isRoot = process.getuid?.() === 0;
const NOTHING_LEFT = { containerProcesses: [], processes: [], mounts: [], cgroups: [], loops: '' };

describe.skipIf(!isRoot)('scripts/start', () => {
  /** @type {string[]} */
  const folders = [];
  /** @type {Set<import('node:child_process').ChildProcess>} */
  const children = new Set();
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGINT');
    for (const child of children) if (child.exitCode === null) await new Promise((done) => child.once('exit', done));
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  /** The latest start of each data folder (its output has the cloud's address). */
  /** @type {Map<string, { output(): string }>} */
  const starts = new Map();
  const newDataDir = async () => {
    const folder = await mkdtemp(join(tmpdir(), 'openaos-start-'));
    folders.push(folder);
    return folder;
  };

  /**
   * `scripts/start` as a child; `stop()` sends SIGINT (what Ctrl-C sends) and returns its exit code.
   * @param {string} dataDir
   * @param {string[]} [args]
   */
  const start = async (dataDir, args = []) => {
    const port = await findFreePort();
    const child = spawn(join(repoRoot, 'scripts', 'start'), ['--data-dir', dataDir, '--port', String(port), ...args], {
      env: { ...process.env, HOST: '127.0.0.1', OPENAOS_DEMO: '', OPENAOS_UNIT: '', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((done) => child.once('exit', (code) => done(code)));
    const started = {
      output: () => output,
      /** @param {RegExp} pattern */
      async waitFor(pattern) {
        const deadline = Date.now() + START_TIMEOUT_MS;
        while (!pattern.test(output)) {
          if (child.exitCode !== null) throw new Error(`scripts/start exited ${child.exitCode}:\n${output}`);
          if (Date.now() > deadline) throw new Error(`scripts/start did not print ${pattern}:\n${output}`);
          await sleep(200);
        }
      },
      async stop() {
        child.kill('SIGINT');
        return exited;
      },
    };
    starts.set(dataDir, started);
    return started;
  };

  /** `aos … --json` as the demo's users (the data folder's AOS_HOME), with the address the start printed. */
  const aosJson = async (/** @type {string} */ dataDir, /** @type {string[]} */ args) => {
    const url = /AOS_CLOUD_URL=(\S+);/.exec(starts.get(dataDir)?.output() ?? '')?.[1] ?? '';
    const { stdout } = await run(process.execPath, [join(repoRoot, 'apps/cli/bin/aos.js'), ...args, '--json'], {
      env: { ...process.env, AOS_HOME: startPaths(dataDir).aosHome, AOS_CLOUD_URL: url },
    });
    return JSON.parse(stdout);
  };

  /** What the unit of this data folder left behind: processes in its cgroups, mounts, cgroups, loop devices. */
  const leftovers = async (/** @type {string} */ dataDir) => {
    const paths = startPaths(dataDir);
    const containerProcesses = [];
    const processes = [];
    for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
      const cgroups = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
      const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
      if (cgroups.includes(paths.cgroupParent)) containerProcesses.push(`${pid} ${commandLine}`);
      else if (commandLine.includes(dataDir)) processes.push(`${pid} ${commandLine}`);
    }
    const cgroups = [];
    for (const controller of await readdir('/sys/fs/cgroup').catch(() => [])) {
      const entries = await readdir(join('/sys/fs/cgroup', controller)).catch(() => []);
      if (entries.includes(paths.cgroupParent.slice(1))) cgroups.push(`${controller}${paths.cgroupParent}`);
    }
    const { stdout: loops } = await run('losetup', ['-j', paths.unitImage]);
    return { containerProcesses, processes, mounts: await mountsUnder(dataDir), cgroups, loops: loops.trim() };
  };

  /** The hello world's log on the unit and the highest greeting number in it. */
  const readGreetings = async (/** @type {string} */ dataDir) => {
    const instances = join(startPaths(dataDir).unitStorage, 'instances');
    let text = '';
    for (const instance of await readdir(instances).catch(() => []))
      text += await readFile(join(instances, instance, 'logs', 'current.log'), 'utf8').catch(() => '');
    const numbers = [...text.matchAll(/Hello from OpenAos #(\d+) /g)].map((match) => Number(match[1]));
    return { text, highest: Math.max(0, ...numbers), firsts: numbers.filter((number) => number === 1).length };
  };

  let demoDir = '';
  let greetingsBeforeStop = 0;

  it(
    'the first start deploys hello world through the cloud to the local unit; Ctrl-C leaves nothing',
    async () => {
      demoDir = await newDataDir();
      const first = await start(demoDir);
      await first.waitFor(/OpenAos is running/);
      const output = first.output();
      for (const step of [
        'created the SP organisation',
        'created the OEM user oem@demo.local',
        'signed examples/hello-world 1.0.0',
        'created the unit set "Demo units"',
        'provisioned the local unit local-unit',
      ])
        expect(output).toContain(step);
      // Who to sign in as, with the passwords printed this once, and kept in the data folder.
      const accounts = JSON.parse(await readFile(startPaths(demoDir).accounts, 'utf8')).accounts;
      const oem = accounts.find((/** @type {{ email: string }} */ account) => account.email === 'oem@demo.local');
      expect(output).toContain(`sign in as oem@demo.local  password ${oem.password}`);
      expect(output).toMatch(/sign in as sp@demo\.local {2}password \S+/);

      // The cloud says so: the unit online, hello world active, through a unit set and a subject.
      const status = await aosJson(demoDir, ['status', '--unit', 'local-unit']);
      expect(status.unit.unit.connection).toBe('online');
      expect(status.unit.instances.map((/** @type {{ state: string }} */ item) => item.state)).toEqual(['active']);
      const subjects = await aosJson(demoDir, ['subject', 'list']);
      expect(subjects).toHaveLength(1);
      expect(subjects[0].unitSets.map((/** @type {{ name: string }} */ set) => set.name)).toEqual(['Demo units']);
      // The container runs in the unit's cgroup (so the leftover check below can see one).
      expect((await leftovers(demoDir)).containerProcesses.length).toBeGreaterThan(0);
      for (;;) {
        greetingsBeforeStop = (await readGreetings(demoDir)).highest;
        if (greetingsBeforeStop >= 1) break;
        await sleep(500);
      }

      expect(await first.stop()).toBe(0);
      expect(first.output()).toContain('stopped; everything is kept');
      expect(await leftovers(demoDir)).toEqual(NOTHING_LEFT);
    },
    START_TIMEOUT_MS + 120_000,
  );

  it(
    'a second start keeps the data and makes nothing twice',
    async () => {
      expect(demoDir).not.toBe('');
      const second = await start(demoDir);
      await second.waitFor(/OpenAos is running/);
      expect(second.output()).toContain('demo: already set up');
      expect(second.output()).not.toContain('password');
      expect(second.output()).not.toContain('provisioned the local unit');

      expect(await aosJson(demoDir, ['admin', 'organisation', 'list'])).toHaveLength(2);
      expect(await aosJson(demoDir, ['admin', 'user', 'list'])).toHaveLength(3);
      const services = await aosJson(demoDir, ['service', 'list']);
      expect(services).toHaveLength(1);
      expect(await aosJson(demoDir, ['version', 'list', services[0].id])).toHaveLength(1);
      expect(await aosJson(demoDir, ['unit', 'list'])).toHaveLength(1);
      expect(await aosJson(demoDir, ['unit-set', 'list'])).toHaveLength(1);
      expect(await aosJson(demoDir, ['subject', 'list'])).toHaveLength(1);

      // The service's /storage survived the stop: its counter goes on instead of starting at 1 again.
      for (;;) {
        const greetings = await readGreetings(demoDir);
        if (greetings.highest > greetingsBeforeStop) {
          expect(greetings.firsts).toBe(1);
          break;
        }
        await sleep(500);
      }

      expect(await second.stop()).toBe(0);
      expect(await leftovers(demoDir)).toEqual(NOTHING_LEFT);
    },
    START_TIMEOUT_MS + 120_000,
  );

  it(
    '--no-demo starts an installation with only the admin',
    async () => {
      const emptyDir = await newDataDir();
      const empty = await start(emptyDir, ['--no-demo']);
      await empty.waitFor(/OpenAos is running/);
      expect(empty.output()).not.toContain('demo:');
      expect(empty.output()).toMatch(/As the admin: admin {2}password \S+/);
      expect(await aosJson(emptyDir, ['admin', 'organisation', 'list'])).toEqual([]);
      const users = await aosJson(emptyDir, ['admin', 'user', 'list']);
      expect(users.map((/** @type {{ email: string }} */ user) => user.email)).toEqual(['admin']);
      expect(await empty.stop()).toBe(0);
      expect(await leftovers(emptyDir)).toEqual(NOTHING_LEFT);
    },
    START_TIMEOUT_MS,
  );
});

/** @returns {Promise<number>} */
function findFreePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}
