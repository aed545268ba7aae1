/**
 * The C++ examples as a developer uses them: each example's own build.sh compiles it with the
 * host's g++ into its src/, the SP signs and uploads it with `aos go`, the OEM approves it and
 * binds it through a subject to a real unit (the agent under runc), and the unit runs it: the
 * hello world greets with its AOS_* identity, the server listens, the client asks it over the
 * provider's network on the unit. The pair also talks on the host. Needs root, runc, g++ and `pnpm build`.
 */
import { execFile, spawn } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDirectory, CLOUD_START_TIMEOUT_MS, findFreePort } from './cloud-process.js';
import { startFleet, type Fleet } from './fleet/fleet.js';
import { createUnit, type TestUnit } from './fleet/unit.js';

const run = promisify(execFile);
const examples = join(appDirectory, '..', '..', 'examples');
/** A guard against a hang, not a measure: each wait returns as soon as its condition holds. */
const SETTLE_TIMEOUT_MS = 180_000;

interface UnitStatus {
  unit: { connection: string };
  instances: { serviceId: string; state: string; errorInfo: { message?: string } | null }[];
}

/** Put the cloud's Service ID into the folder's config (and any other replacements), then `aos go`; returns the version ID. */
async function publish(
  fleet: Fleet,
  directory: string,
  serviceId: string,
  replacements: [string, string][] = [],
): Promise<string> {
  const configPath = join(directory, 'meta', 'config.yaml');
  let config = (await readFile(configPath, 'utf8')).replace(/^(\s*service_uid:\s*).*$/m, `$1${serviceId}`);
  for (const [from, to] of replacements) config = config.replaceAll(from, to);
  await writeFile(configPath, config);
  const go = await fleet.aosJson<{ upload: { id: string; state: string } }>(['go', '-C', directory]);
  expect(go.upload.state).toBe('ready');
  return go.upload.id;
}

describe('the C++ examples, built with g++ and deployed through the cloud to a unit', () => {
  let fleet: Fleet;
  let unit: TestUnit;
  const ids = { hello: '', server: '', client: '' };
  let pairDirectory: string;

  beforeAll(async () => {
    fleet = await startFleet('pglite');
    const helloDirectory = join(fleet.root, 'hello-world-cpp');
    pairDirectory = join(fleet.root, 'client-server-cpp');
    for (const [name, target] of [
      ['hello-world-cpp', helloDirectory],
      ['client-server-cpp', pairDirectory],
    ] as const) {
      await cp(join(examples, name), target, {
        recursive: true,
        filter: (source) => !source.includes('/src/usr/bin/'),
      });
      await run(join(target, 'build.sh'));
    }
    for (const [key, title] of [
      ['hello', 'hello world (C++)'],
      ['server', 'echo server (C++)'],
      ['client', 'echo client (C++)'],
    ] as const)
      ids[key] = (await fleet.aosJson<{ id: string }>(['service', 'create', '--title', title])).id;
    const versions = [
      await publish(fleet, helloDirectory, ids.hello),
      await publish(fleet, join(pairDirectory, 'server'), ids.server),
      // The client's allowedConnections names the server by its Service ID.
      await publish(fleet, join(pairDirectory, 'client'), ids.client, [
        ['5b0d5b3e-8c5a-4a6e-9f61-3f2a4f1c0a12', ids.server],
      ]),
    ];
    for (const version of versions) await fleet.aos(['version', 'approve', version]);
    unit = await createUnit(fleet, `cpp-${process.pid}`);
    const subject = await fleet.aosJson<{ id: string }>(['subject', 'create', '--name', 'C++ examples']);
    await fleet.aos([
      'subject',
      'bind',
      subject.id,
      ...[ids.hello, ids.server, ids.client].flatMap((id) => ['--service', id]),
      '--unit',
      unit.id,
    ]);
    await unit.provision();
    await unit.start();
  }, CLOUD_START_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    await unit?.remove();
    await fleet?.close();
  });

  /** Until `check` holds for the unit's status in the cloud, or the agent exits. */
  async function waitForStatus(what: string, check: (status: UnitStatus) => boolean): Promise<UnitStatus> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let last: UnitStatus | undefined;
    for (;;) {
      last = (await fleet.aosJson<{ unit: UnitStatus }>(['status', '--unit', unit.systemId])).unit;
      if (check(last)) return last;
      if (unit.hasExited() || Date.now() > deadline)
        throw new Error(`waiting for ${what}: ${JSON.stringify(last, null, 2)}\nagent output:\n${unit.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Until the service's log on the unit matches. */
  async function waitForLog(serviceId: string, pattern: RegExp): Promise<string> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      const log = (await unit.agent(['logs', serviceId])).stdout;
      if (pattern.test(log)) return log;
      if (unit.hasExited() || Date.now() > deadline)
        throw new Error(`the log of ${serviceId} never matched ${pattern}:\n${log}\nagent output:\n${unit.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  it('the unit runs all three, active in the cloud', { timeout: SETTLE_TIMEOUT_MS + 30_000 }, async () => {
    const status = await waitForStatus(
      'the three C++ services active',
      (current) =>
        current.unit.connection === 'online' &&
        [ids.hello, ids.server, ids.client].every((id) =>
          current.instances.some((instance) => instance.serviceId === id && instance.state === 'active'),
        ),
    );
    expect(status.instances.filter((instance) => instance.state !== 'active')).toEqual([]);
  });

  it('hello world (C++) greets with its AOS_* identity from its static binary', async () => {
    const log = await waitForLog(ids.hello, /Hello from OpenAos \(C\+\+\) #2 /);
    expect(log).toMatch(new RegExp(`#1 .*AOS_SERVICE_ID=${ids.hello}`));
    expect(log).toContain('AOS_INSTANCE_ID=');
  });

  it('the server listens on its port and the client gets its replies over the provider network', async () => {
    expect(await waitForLog(ids.server, /listening on port 8080 as \S+/)).not.toContain('cannot listen');
    // One provider's instances share a bridge; cpp-echo-server is the server's hostname in the
    // unit's hosts file.
    expect(await waitForLog(ids.client, /server replied: .*hello #2/)).toContain('hello #');
  });

  it('on the host, where both share a network, the client prints the server’s replies', async () => {
    const port = String(await findFreePort());
    const server = spawn(join(pairDirectory, 'server/src/usr/bin/services/server'), [], {
      env: { PORT: port },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
        server.once('exit', (code) => reject(new Error(`the server exited ${code}`)));
      });
      let output = '';
      const client = spawn(join(pairDirectory, 'client/src/usr/bin/services/client'), [], {
        env: { SERVER_HOST: 'localhost', SERVER_PORT: port, CLIENT_INTERVAL: '0.2' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) =>
        client.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('hello #2')) resolve();
        }),
      );
      client.kill();
      expect(output).toContain('server replied: echo from server on the host: hello #1');
    } finally {
      server.kill();
    }
  });
});
