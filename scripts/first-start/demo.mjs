// The demo of the first start, made through the product's own paths: as the admin, an SP and an
// OEM organisation with a user each (`aos admin`); as the SP, the hello-world example registered,
// signed with the SP's cloud-issued credential and uploaded (`aos service create`, `aos go`); as
// the OEM, the version approved, a unit registered, a unit set holding it and a subject binding
// the service to the set. Every step first looks for what it would make (by name), so a later
// start — or one after a start that was interrupted half way — makes only what is missing.
import { cp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { saveAccount } from './accounts.mjs';
import { DEMO } from './paths.mjs';

/**
 * @param {{ commands: ReturnType<import('./commands.mjs').createCommands>,
 *   paths: ReturnType<import('./paths.mjs').startPaths>, repoRoot: string, log: (line: string) => void }} options
 * @returns {Promise<{ created: string[], serviceId: string, unitId: string }>}
 */
export async function ensureDemo({ commands, paths, repoRoot, log }) {
  const { aos, aosJson } = commands;
  /** @type {string[]} */
  const created = [];
  const made = (/** @type {string} */ what) => {
    created.push(what);
    log(`demo: ${what}`);
  };
  const security = join(paths.aosHome, 'security');

  // As the admin: the organisations, their users, and each user's credential.
  /** @type {{ id: string, name: string }[]} */
  const organisations = await aosJson(['admin', 'organisation', 'list']);
  /** @type {{ id: string, email: string }[]} */
  const users = await aosJson(['admin', 'user', 'list']);
  for (const [kind, name, email, label] of /** @type {const} */ ([
    ['sp', DEMO.spOrganisation, DEMO.spEmail, 'Demo SP user'],
    ['oem', DEMO.oemOrganisation, DEMO.oemEmail, 'Demo OEM user'],
  ])) {
    let organisation = organisations.find((item) => item.name === name);
    if (!organisation) {
      organisation = await aosJson(['admin', 'organisation', 'create', '--name', name, '--kind', kind]);
      made(`created the ${kind.toUpperCase()} organisation "${name}"`);
    }
    if (!users.some((user) => user.email === email)) {
      /** @type {{ password: string }} */
      const user = await aosJson([
        'admin',
        'user',
        'create',
        '--email',
        email,
        '--name',
        label,
        '--role',
        kind,
        '--organisation',
        organisation.id,
      ]);
      await saveAccount(paths.accounts, { email, password: user.password, role: kind, organisation: name });
      made(`created the ${kind.toUpperCase()} user ${email}`);
    }
    if (!(await exists(join(security, `aos-user-${kind}.p12`)))) {
      await aos(['admin', 'user', 'credential', email, '--quiet']);
      made(`issued ${email}'s credential (aos-user-${kind}.p12)`);
    }
  }
  await aos(['login', '--url', commands.cloudUrl, '--json']);

  // As the SP: the service and its first version, signed with the SP's credential and uploaded.
  /** @type {{ id: string, title: string }[]} */
  const services = await aosJson(['service', 'list']);
  let service = services.find((item) => item.title === DEMO.serviceTitle);
  if (!service) {
    service = await aosJson([
      'service',
      'create',
      '--title',
      DEMO.serviceTitle,
      '--description',
      'examples/hello-world',
    ]);
    made(`registered the service "${DEMO.serviceTitle}" (${service.id})`);
  }
  const serviceId = service.id;
  /** @type {{ id: string, version: string, state: string }[]} */
  let versions = await aosJson(['version', 'list', serviceId]);
  if (!versions.some((version) => version.version === DEMO.version)) {
    await prepareServiceFolder(join(repoRoot, 'examples', 'hello-world'), paths.demoService, serviceId);
    await aos(['go', '-C', paths.demoService, '--quiet']);
    made(`signed examples/hello-world ${DEMO.version} with the SP's credential and uploaded it`);
    versions = await aosJson(['version', 'list', serviceId]);
  }

  // As the OEM: approve, register the unit, put it in a unit set, bind the service to the set.
  const version = versions.find((item) => item.version === DEMO.version);
  if (version && version.state !== 'approved') {
    await aos(['version', 'approve', version.id, '--json']);
    made(`approved version ${DEMO.version}`);
  }
  /** @type {{ id: string, systemId: string }[]} */
  const units = await aosJson(['unit', 'list']);
  let unit = units.find((item) => item.systemId === DEMO.unitSystemId);
  if (!unit) {
    unit = await aosJson(['unit', 'create', '--system-id', DEMO.unitSystemId, '--model', 'this machine']);
    made(`registered the unit ${DEMO.unitSystemId}`);
  }
  /** @type {{ id: string, name: string }[]} */
  const unitSets = await aosJson(['unit-set', 'list']);
  let unitSet = unitSets.find((item) => item.name === DEMO.unitSet);
  if (!unitSet) {
    unitSet = await aosJson(['unit-set', 'create', '--name', DEMO.unitSet]);
    made(`created the unit set "${DEMO.unitSet}"`);
  }
  await aos(['unit-set', 'add-units', unitSet.id, unit.id, '--json']);
  /** @type {{ id: string, name: string }[]} */
  const subjects = await aosJson(['subject', 'list']);
  let subject = subjects.find((item) => item.name === DEMO.subject);
  if (!subject) {
    subject = await aosJson(['subject', 'create', '--name', DEMO.subject]);
    made(`created the subject "${DEMO.subject}" binding "${DEMO.serviceTitle}" to "${DEMO.unitSet}"`);
  }
  await aos(['subject', 'bind', subject.id, '--service', serviceId, '--unit-set', unitSet.id, '--json']);
  return { created, serviceId, unitId: unit.id };
}

/** A fresh copy of the example with the cloud's Service ID in publish.service_uid. */
async function prepareServiceFolder(
  /** @type {string} */ example,
  /** @type {string} */ target,
  /** @type {string} */ serviceId,
) {
  await rm(target, { recursive: true, force: true });
  await cp(example, target, { recursive: true });
  await rm(join(target, 'service.tar.gz'), { force: true });
  const configPath = join(target, 'meta', 'config.yaml');
  const config = await readFile(configPath, 'utf8');
  const updated = config.replace(/^(\s*service_uid:\s*).*$/m, `$1${serviceId}`);
  if (updated === config) throw new Error(`preparing the demo service: no publish.service_uid line in ${configPath}`);
  await writeFile(configPath, updated);
}

/** @param {string} path */
async function exists(path) {
  return stat(path).then(
    () => true,
    () => false,
  );
}
