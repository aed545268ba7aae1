// scripts/start, once Node is known to be there: the cloud on its embedded database, on the first
// start a demo made through the product's own paths (see demo.mjs), the local unit connected over
// the unit channel running the demo's hello world, and a summary of where to sign in and as whom.
// Ctrl-C (SIGINT) or SIGTERM stops everything in order: the unit's containers, mounts and cgroups,
// then the cloud. Running it again keeps every piece of data and makes nothing twice.
//
// Invariants: the unit is stopped before the cloud; nothing is started after a stop began; a step
// that fails stops what was started and exits 1 with what to do.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { readAccounts, saveAccount } from './accounts.mjs';
import { startCloud } from './cloud.mjs';
import { createCommands } from './commands.mjs';
import { ensureDemo } from './demo.mjs';
import { readTail } from './log-tail.mjs';
import { DEMO, startPaths } from './paths.mjs';
import { checkUnitRequirements, isPortFree } from './preflight.mjs';
import { createLocalUnit } from './unit.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** A guard against a hang, not a measure: the unit usually runs hello world within a minute. */
const ACTIVE_TIMEOUT_MS = 300_000;

const USAGE = `usage: scripts/start [--no-demo] [--no-unit] [--port N] [--data-dir DIR]

  --no-demo       an empty installation: only the admin (also OPENAOS_DEMO=0)
  --no-unit       no local unit (also OPENAOS_UNIT=0)
  --port N        the cloud's port (also PORT; default 3000)
  --data-dir DIR  where everything is kept (also OPENAOS_START_DATA_DIR; default <repo>/.data)
Other settings of the cloud (DATABASE_URL, HOST, OPENAOS_PUBLIC_URL…) pass through; see docs/cloud.md.`;

const { values } = parseArgs({
  options: {
    'no-demo': { type: 'boolean', default: false },
    'no-unit': { type: 'boolean', default: false },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const isDemo = !values['no-demo'] && process.env.OPENAOS_DEMO !== '0';
const wantsUnit = !values['no-unit'] && process.env.OPENAOS_UNIT !== '0';
const portText = values.port ?? process.env.PORT ?? '3000';
const port = Number(portText);
const host = process.env.HOST || '0.0.0.0';
const dataDir = resolve(values['data-dir'] ?? (process.env.OPENAOS_START_DATA_DIR || join(repoRoot, '.data')));
const paths = startPaths(dataDir);
const say = (/** @type {string} */ line) => console.log(`start: ${line}`);

if (!Number.isInteger(port) || port < 1 || port > 65535)
  fail(`--port/PORT: "${portText}" is not a port number (1-65535)`);

/** @type {Awaited<ReturnType<typeof startCloud>>} */
let cloud;
/** @type {ReturnType<typeof createLocalUnit> | undefined} */
let unit;
let isStopping = false;
/** @type {Promise<void> | undefined} */
let stopped;

/** Stop in order, once: the unit (containers, mounts, cgroups), then the cloud. */
function stopAll() {
  isStopping = true;
  stopped ??= (async () => {
    if (unit) {
      say('stopping the local unit: its containers, mounts and cgroups');
      await unit.stop().catch((error) => console.error(`start: stopping the unit: ${error.message}`));
    }
    if (cloud) {
      say('stopping the cloud');
      await cloud.stop();
    }
    await rm(paths.lock, { force: true });
  })();
  return stopped;
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    if (stopped) {
      say('still stopping (removing the containers); wait a moment');
      return;
    }
    void stopAll().then(() => {
      say('stopped; everything is kept in ' + dataDir + ' for the next start');
      process.exit(0);
    });
  });
}

try {
  await main();
} catch (error) {
  console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
}

async function main() {
  await mkdir(dataDir, { recursive: true });
  await takeLock();
  if (!(await isPortFree(port, host))) {
    fail(
      `port ${port} is in use (another program, or OpenAos started before and still running): stop it, or choose another port: PORT=${port + 1} scripts/start`,
    );
  }
  const unitProblem = wantsUnit ? await checkUnitRequirements() : undefined;
  if (unitProblem) say(`${unitProblem}. Starting without it.`);

  const accountsBefore = new Set((await readAccounts(paths.accounts)).map((account) => account.email));
  const adminPassword = await ensureAdminPassword();
  say(`the cloud on http://localhost:${port} (its data in ${paths.cloudDir}, its log in ${paths.cloudLog})`);
  cloud = await startCloud({
    repoRoot,
    cloudDir: paths.cloudDir,
    logFile: paths.cloudLog,
    port,
    adminPassword,
    isStopping: () => isStopping,
  });
  if (!cloud || isStopping) return;
  const commands = createCommands({ repoRoot, aosHome: paths.aosHome, cloudUrl: cloud.url });
  await ensureAdminCredential(commands);

  let created = /** @type {string[]} */ ([]);
  if (isDemo) {
    say('the demo: organisations, users, the hello world service, a unit set and a subject');
    ({ created } = await ensureDemo({ commands, paths, repoRoot, log: say }));
    if (created.length === 0) say('demo: already set up (nothing made twice)');
  }
  if (isStopping) return;

  const canRunUnit = wantsUnit && !unitProblem;
  if (canRunUnit && isDemo) {
    unit = createLocalUnit({ repoRoot, paths, commands });
    if (!(await unit.isProvisioned())) {
      await unit.provision();
      say(`demo: provisioned the local unit ${DEMO.unitSystemId} with a one-time token (aos-agent provision)`);
    }
  } else if (canRunUnit) {
    const existing = createLocalUnit({ repoRoot, paths, commands });
    if (await existing.isProvisioned()) unit = existing;
  }
  if (unit && !isStopping) {
    await mkdir(paths.unitDir, { recursive: true });
    say(`the local unit ${DEMO.unitSystemId} (aos-agent run; its log in ${paths.unitLog})`);
    unit.start();
    if (isDemo) await waitForHelloWorld(commands, unit);
  }
  if (isStopping) return;
  const accounts = await readAccounts(paths.accounts);
  await printSummary(new Set(accounts.filter((account) => !accountsBefore.has(account.email)).map((a) => a.email)));
  // Runs until a signal stops it, or the cloud exits by itself.
  const code = await cloud.exited;
  if (!isStopping) {
    console.error(`start: the cloud exited (${code}); its last lines:\n${await readTail(paths.cloudLog, 20)}`);
    await stopAll();
    process.exit(1);
  }
}

/** The admin's password: made on the first start and kept (mode 600); the cloud creates the admin with it. */
async function ensureAdminPassword() {
  const existing = await readFile(paths.adminPassword, 'utf8').catch(() => '');
  if (existing.trim()) return existing.trim();
  if (await exists(join(paths.cloudDir, 'ca'))) {
    say(
      `the cloud in ${paths.cloudDir} was started before without scripts/start: put its admin password into ${paths.adminPassword} to let the demo use it`,
    );
  }
  const password = randomBytes(15).toString('base64url');
  await writeFile(paths.adminPassword, `${password}\n`, { mode: 0o600 });
  await saveAccount(paths.accounts, { email: 'admin', password, role: 'admin' });
  return password;
}

/** The admin's credential in the data's AOS_HOME (`aos admin credential`), fetched once with the password. */
async function ensureAdminCredential(/** @type {ReturnType<typeof createCommands>} */ commands) {
  if (await exists(join(paths.aosHome, 'security', 'aos-user-admin.p12'))) return;
  await commands.aos(['admin', 'credential', '--email', 'admin', '--password-file', paths.adminPassword, '--quiet']);
}

/** Until the cloud says the unit is online with hello world active (or the unit's agent exits). */
async function waitForHelloWorld(
  /** @type {ReturnType<typeof createCommands>} */ commands,
  /** @type {ReturnType<typeof createLocalUnit>} */ localUnit,
) {
  say('waiting for the unit to report hello world active (it downloads, verifies and starts it)');
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  let last = '';
  while (!isStopping) {
    try {
      /** @type {{ unit: { unit: { connection: string }, instances: { state: string }[] } }} */
      const status = await commands.aosJson(['status', '--unit', DEMO.unitSystemId]);
      last = JSON.stringify(status.unit.instances);
      if (status.unit.unit.connection === 'online' && status.unit.instances.some((item) => item.state === 'active'))
        return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (localUnit.hasExited())
      throw new Error(`the unit's agent exited; its last lines:\n${await readTail(paths.unitLog, 20)}`);
    if (Date.now() > deadline)
      throw new Error(
        `hello world was not active on the unit after ${ACTIVE_TIMEOUT_MS / 1000} s (last: ${last}); the unit's log:\n${await readTail(paths.unitLog, 20)}`,
      );
    await sleep(1000);
  }
}

/** Where to sign in and as whom; passwords only of the accounts made by this start (shown once). */
async function printSummary(/** @type {Set<string>} */ newAccounts) {
  const url = process.env.OPENAOS_PUBLIC_URL ?? `http://localhost:${port}`;
  const accounts = await readAccounts(paths.accounts);
  const find = (/** @type {string} */ email) => accounts.find((account) => account.email === email);
  const show = (/** @type {string} */ email) => {
    const account = find(email);
    return `${email}${newAccounts.has(email) && account ? `  password ${account.password}` : ''}`;
  };
  const lines = ['', `OpenAos is running: ${url}`];
  if (isDemo) {
    lines.push(
      `  As the OEM, sign in as ${show(DEMO.oemEmail)}`,
      `    the unit ${DEMO.unitSystemId} online, running "${DEMO.serviceTitle}" (Units; Subjects)`,
      `  As the SP, sign in as ${show(DEMO.spEmail)}`,
      `    the service "${DEMO.serviceTitle}": version ${DEMO.version} active on one unit (Services)`,
      `    its metrics and log (Monitoring, then ${DEMO.unitSystemId})`,
    );
  }
  lines.push(`  As the admin: ${show('admin')}    (organisations and users: Admin)`);
  lines.push(
    newAccounts.size > 0
      ? `  The passwords are shown once; they are kept in ${paths.accounts}.`
      : `  Passwords: ${paths.accounts}`,
    `  The CLI as these users: export AOS_HOME=${paths.aosHome} AOS_CLOUD_URL=${cloud?.url}; alias aos="node ${join(repoRoot, 'apps/cli/bin/aos.js')}"; aos status`,
  );
  if (unit) lines.push(`  The unit's hello world: ${paths.unitStorage}/instances/*/logs/current.log`);
  lines.push("Ctrl-C stops everything (the unit's containers, mounts and cgroups, then the cloud).");
  console.log(lines.join('\n'));
}

/** One start per data folder: a second one would fight the first over the port, the unit and the database. */
async function takeLock() {
  const pid = Number((await readFile(paths.lock, 'utf8').catch(() => '')).trim());
  if (pid && pid !== process.pid && isAlive(pid)) {
    fail(`OpenAos is already running on ${dataDir} (process ${pid}): stop it with Ctrl-C (or kill -INT ${pid}) first`);
  }
  await writeFile(paths.lock, String(process.pid));
}

/** @param {number} pid */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} path */
async function exists(path) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`start: ${message}`);
  process.exit(1);
}
