// docs/cloud.md and docs/getting-started.md step 6, and the cloud examples of docs/cli.md: the
// built cloud's first start on PGlite, the admin's first API calls with curl, an SP user who
// logs in, creates a service and uploads it, refused uploads, an OEM user's units and subjects.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { findFreePort, isAnswering } from '../session.mjs';
import { nameSignedHashes } from './name-signed-hashes.mjs';

/** @type {import('../run-scenarios.mjs').Scenario} */
export const cloud = {
  name: 'cloud',
  displayRoot: '/tmp/docs-cloud',
  needs: ['root'],
  outputs: [
    'cloud-first-start',
    'cloud-admin-api',
    'cloud-upload-errors',
    'getting-started-cloud-service',
    'getting-started-go',
    'getting-started-oem',
    'cli-unit-provision',
    'cli-role-error',
    'cli-version-approve',
    'readme-unit',
  ],

  async run(session, { repoRoot }) {
    const { sandbox, normaliser } = session;
    const port = await findFreePort();
    normaliser.replace(String(port), '3917', { isWord: true });
    const server = await session.start(
      `OPENAOS_DATA_DIR=${sandbox}/data PORT=${port} NODE_ENV=production node dist/server.js`,
      {
        cwd: join(repoRoot, 'apps/cloud'),
        isReady: () => isAnswering(`http://127.0.0.1:${port}/api/trpc/system.info`),
      },
    );
    const adminPassword = /password: (\S+)/.exec(server.result.output)?.[1];
    if (!adminPassword) throw new Error(`the cloud's first start printed no admin password:\n${server.result.output}`);
    normaliser.replace(adminPassword, '<admin password>');
    session.emit('cloud-first-start', server.result);

    // The admin's first calls (docs/cloud.md "First steps as admin").
    const json = "-H 'content-type: application/json'";
    const setUrl = await session.run(`U=http://localhost:${port}/api/trpc`);
    const signIn = await session.run(
      `curl -s -c jar ${json} -d '{"email":"admin","password":"${adminPassword}"}' $U/auth.signIn`,
    );
    const createOrganisation = await session.run(
      `curl -s -b jar ${json} -d '{"name":"Acme Services","kind":"sp"}' $U/organisations.create`,
    );
    const organisationId = readData(createOrganisation).id;
    normaliser.replace(organisationId, '<organisation id>');
    const createUser = await session.run(
      `curl -s -b jar ${json} -d '{"email":"alice@acme.example","name":"Alice","role":"sp","organisationId":"${organisationId}"}' $U/users.create`,
    );
    const alice = readData(createUser);
    normaliser.replace(alice.user.id, '<user id>');
    normaliser.replace(alice.password, '<generated password>');
    const issue = await session.run(
      `curl -s -b jar ${json} -d '{"userId":"${alice.user.id}"}' $U/credentials.issue | python3 -c 'import json,sys,base64; d=json.load(sys.stdin)["result"]["data"]; open(d["fileName"],"wb").write(base64.b64decode(d["pkcs12Base64"])); print(d["fileName"], d["fingerprint256"])'`,
    );
    session.emit('cloud-admin-api', setUrl, signIn, createOrganisation, createUser, issue);

    // Alice keeps her credential where aos finds it; an OEM organisation and user get theirs the same way.
    await session.run(
      `export AOS_HOME=${sandbox}/home SOURCE_DATE_EPOCH=946684800 && mkdir -p $AOS_HOME/security && mv aos-user-sp.p12 $AOS_HOME/security/`,
    );
    const oemOrganisation = readData(
      await session.run(`curl -s -b jar ${json} -d '{"name":"Acme Devices","kind":"oem"}' $U/organisations.create`),
    );
    const oemUser = readData(
      await session.run(
        `curl -s -b jar ${json} -d '{"email":"olga@devices.example","name":"Olga","role":"oem","organisationId":"${oemOrganisation.id}"}' $U/users.create`,
      ),
    );
    await session.run(
      `curl -s -b jar ${json} -d '{"userId":"${oemUser.user.id}"}' $U/credentials.issue | python3 -c 'import json,sys,base64; d=json.load(sys.stdin)["result"]["data"]; open("'$AOS_HOME'/security/"+d["fileName"],"wb").write(base64.b64decode(d["pkcs12Base64"]))'`,
    );

    // docs/getting-started.md step 6, as Alice.
    const login = await session.run(`aos login --url http://localhost:${port}`);
    const createService = await session.run('aos service create --title "Hello demo" --description "docs walkthrough"');
    const serviceId = /^Service (\S+)/m.exec(createService.output)?.[1];
    if (!serviceId) throw new Error(`aos service create printed no Service ID:\n${createService.output}`);
    normaliser.replace(serviceId, '<service id>');
    session.emit('getting-started-cloud-service', login, createService);

    await session.run(`aos init hello --service-uid ${serviceId} --no-dev-credential > /dev/null && cd hello`);
    const go = await session.run('aos go');
    const versionId = /\(id (\S+)\)/.exec(go.output)?.[1];
    if (versionId) normaliser.replace(versionId, '<version id>');
    await nameSignedHashes(session, 'service.tar.gz', { isStable: false });
    const goAgain = await session.run('aos go', { exitCode: 1 });
    const show = await session.run(`aos service show ${serviceId}`);
    session.emit('getting-started-go', go, goAgain, show);

    // docs/cloud.md "Upload": no token, then a package signed with a development credential.
    await session.run(
      `AOS_HOME=${sandbox}/dev-home aos credentials dev > /dev/null && sed -i 's/^    version: .*/    version: "1.0.1"/' meta/config.yaml && aos sign -q -p ${sandbox}/dev-home/security/aos-user-sp.p12`,
    );
    session.emit(
      'cloud-upload-errors',
      await session.run(
        `curl -s -w '\\nHTTP %{http_code}\\n' -F service=${serviceId} -F version=1.0.1 -F file=@service.tar.gz http://localhost:${port}/api/v1/services/versions/`,
      ),
      await session.run('aos upload', { exitCode: 1 }),
    );

    // docs/getting-started.md step 6, as the OEM user (aos picks aos-user-oem.p12 for fleet commands).
    const createUnit = await session.run('aos unit create --system-id unit-0001 --model "dev-board"');
    // Their first lines: "Registered unit unit-0001 (<id>)", "Created subject demo-fleet (<id>)".
    const unitId = /^Registered unit \S+ \(([0-9a-f-]{36})\)$/m.exec(createUnit.output)?.[1];
    const createSubject = await session.run('aos subject create --name demo-fleet');
    const subjectId = /^Created subject \S+ \(([0-9a-f-]{36})\)$/m.exec(createSubject.output)?.[1];
    if (!unitId || !subjectId)
      throw new Error(`no unit or subject ID in:\n${createUnit.output}\n${createSubject.output}`);
    normaliser.replace(unitId, '<unit id>');
    normaliser.replace(subjectId, '<subject id>');
    const bind = await session.run(`aos subject bind ${subjectId} --service ${serviceId} --unit ${unitId}`);
    session.emit('getting-started-oem', createUnit, createSubject, bind);

    // docs/cli.md: a provisioning token for that unit, and its status before it ever connected.
    const provision = await session.run('aos unit provision-token unit-0001 --ttl 30m');
    const token = /^\s*token:\s+(\S+)/m.exec(provision.output)?.[1];
    if (!token) throw new Error(`no token in:\n${provision.output}`);
    normaliser.replace(token, '<token>');
    session.emit('cli-unit-provision', provision, await session.run('aos status --unit unit-0001'));

    // docs/cli.md: a fleet command with an SP credential, and approving a version.
    session.emit(
      'cli-role-error',
      await session.run('aos unit create --system-id x --model y --pkcs12 $AOS_HOME/security/aos-user-sp.p12', {
        exitCode: 1,
      }),
    );
    const list = await session.run(`aos version list ${serviceId}`);
    const approve = await session.run(`aos version approve ${versionId}`);
    session.emit('cli-version-approve', list, approve, await session.run(`aos version list ${serviceId}`));

    // README "Deploy through the cloud to a unit": the approved hello world reaches unit-0001, a
    // real agent on this machine provisioned with a fresh token, because the subject binds them.
    const storage = `${sandbox}/unit-0001`;
    const cgroupParent = `/openaos-docs-${randomBytes(4).toString('hex')}`;
    normaliser.replace(cgroupParent, '/openaos-unit-0001');
    const fresh = await session.run('aos unit provision-token unit-0001');
    const freshToken = /^\s*token:\s+(\S+)/m.exec(fresh.output)?.[1];
    if (!freshToken) throw new Error(`no token in:\n${fresh.output}`);
    normaliser.replace(freshToken, '<token>');
    const provisionUnit = await session.run(
      `aos-agent provision --cloud http://localhost:${port} --token ${freshToken} --system-id unit-0001 --storage-dir ${storage}`,
    );
    const runUnit = await session.run(
      `aos-agent run --storage-dir ${storage} --storage-size 256m --cgroup-parent ${cgroupParent} > unit.log 2>&1 &`,
    );
    const pid = Number((await session.run('echo $!')).output);
    session.onClose(() => removeUnit(repoRoot, { storage, cgroupParent, pid }));
    // hello.py prints every 5 s: wait until the cloud counts the unit active and two lines are out.
    await session.run(
      `for i in $(seq 240); do aos status --service ${serviceId} --json | grep -q '"active": 1' && [ "$(cat ${storage}/instances/*/logs/current.log 2>/dev/null | wc -l)" -ge 2 ] && break; sleep 0.5; done`,
    );
    session.emit(
      'readme-unit',
      fresh,
      provisionUnit,
      runUnit,
      await session.run(`aos status --service ${serviceId}`),
      await session.run(`head -2 ${storage}/instances/*/logs/current.log`),
    );
  },
};

/**
 * The `result.data` of a tRPC answer printed by curl.
 * @param {import('../session.mjs').CommandResult} result
 */
function readData(result) {
  try {
    return JSON.parse(result.output).result.data;
  } catch (error) {
    throw new Error(`\`${result.command}\` did not answer with tRPC data:\n${result.output}`, { cause: error });
  }
}

/**
 * Stop the docs' unit and remove what it made: the daemon SIGTERMed, then the agent's own
 * teardown (every container, mount and cgroup of its storage), as the tests' units do.
 * @param {string} repoRoot
 * @param {{ storage: string, cgroupParent: string, pid: number }} unit
 */
async function removeUnit(repoRoot, unit) {
  try {
    process.kill(unit.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(unit.pid, 0);
    } catch {
      break;
    }
    await sleep(100);
  }
  const agent = join(repoRoot, 'apps/agent/dist/index.js');
  const script = `const { Agent } = await import(${JSON.stringify(agent)}); const a = await Agent.open({ storageDir: ${JSON.stringify(unit.storage)}, storageSize: '256m', cgroupParent: ${JSON.stringify(unit.cgroupParent)} }); await a.destroy();`;
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]).catch(() => undefined);
  await promisify(execFile)('umount', ['-R', unit.storage]).catch(() => undefined);
}
