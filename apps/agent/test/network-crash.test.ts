import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstanceId } from '../src/index.js';
import { computeNetworkTag, loadNetworkState, networkNames } from '../src/network/network-state.js';
import { buildTestImage, createTestBed, runCli, spawnDaemon, waitUntil, type TestImage } from './helpers.js';
import { findLeftovers, networkServiceYaml, probeTcp, providerDesiredStatus, readChain } from './network-helpers.js';

const isRoot = process.getuid?.() === 0;
const SERVER = '88888888-8888-4888-8888-888888888888';
const CLIENT = '99999999-9999-4999-8999-999999999999';
const SERVER_SCRIPT = `
import socketserver
class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        self.rfile.readline()
        self.wfile.write(b"pong\\n")
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer(("0.0.0.0", 8080), Handler).serve_forever()
`;

async function countJumps(parent: string, chain: string): Promise<number> {
  return (await execa('iptables', ['-w', '-S', parent])).stdout
    .split('\n')
    .filter((line) => line === `-A ${parent} -j ${chain}`).length;
}

async function countMounts(path: string): Promise<number> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((line) => line.split(' ')[4] === path)
    .length;
}

describe.skipIf(!isRoot).sequential('networks and volumes across kill -9 of the agent daemon', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  let daemon: ReturnType<typeof spawnDaemon> | undefined;
  let tag = '';
  const images: Record<string, TestImage> = {};
  const serverId = createInstanceId(SERVER, 'subject-1', 0);
  const clientId = createInstanceId(CLIENT, 'subject-1', 0);
  const addresses: string[] = [];

  const stateOf = () => loadNetworkState(join(bed.storageDir, 'network', 'state.json'));

  beforeAll(async () => {
    bed = await createTestBed('netcrash');
    tag = computeNetworkTag(bed.storageDir);
    images.server = await buildTestImage(
      join(bed.root, 'server'),
      networkServiceYaml({
        uid: SERVER,
        script: 'main.py',
        extra: '    exposedPorts:\n        - 8080/tcp\n    quotas:\n        storage: 1MB\n        upload: 10MB\n',
      }),
      { 'srv/app/main.py': SERVER_SCRIPT },
    );
    images.client = await buildTestImage(
      join(bed.root, 'client'),
      networkServiceYaml({
        uid: CLIENT,
        script: 'main.py',
        extra: `    allowedConnections:\n        - ${SERVER}/8080/tcp\n`,
      }),
      { 'srv/app/main.py': 'import time\ntime.sleep(3600)\n' },
    );
  }, 120_000);

  afterAll(async () => {
    daemon?.kill('SIGKILL');
    await daemon?.catch(() => undefined);
    await bed?.cleanup();
    if (tag)
      expect(await findLeftovers(tag, bed.root, addresses)).toEqual({
        netns: [],
        links: [],
        chains: [],
        cniRules: [],
        mounts: [],
        loops: [],
      });
  });

  it('keeps rules, addresses and mounts exactly once after kill -9 and restart', async () => {
    const desired = join(bed.root, 'desired.json');
    await writeFile(
      desired,
      JSON.stringify(
        providerDesiredStatus([
          { id: SERVER, providerId: 'provider-a', image: images.server! },
          { id: CLIENT, providerId: 'provider-b', image: images.client! },
        ]),
      ),
    );
    daemon = spawnDaemon(bed.storageDir, bed.cgroupParent);
    const applied = await runCli(['apply', desired, '--storage-dir', bed.storageDir, '--wait', '--timeout', '60']);
    expect(applied.exitCode).toBe(0);
    const names = networkNames(tag);
    const before = await stateOf();
    const server = before.attachments[serverId]!.ip;
    addresses.push(server, before.attachments[clientId]!.ip);
    expect(await probeTcp(names.netns(clientId), server, 8080)).toBe('ok pong');
    const rules = await readChain(names.forwardChain);
    const storageDir = join(bed.storageDir, 'storage', serverId);
    expect(await countMounts(storageDir)).toBe(1);

    daemon.kill('SIGKILL');
    await daemon.catch(() => undefined);
    const restartedAt = Date.now();
    daemon = spawnDaemon(bed.storageDir, bed.cgroupParent);
    await waitUntil(
      async () =>
        (await readFile(join(bed.storageDir, 'agent/daemon.pid'), 'utf8').catch(() => '')).trim() ===
          String(daemon!.pid) &&
        (await import('node:fs/promises')).stat(join(bed.storageDir, 'agent/status.json')).then(
          (info) => info.mtimeMs > restartedAt,
          () => false,
        ),
      30_000,
      'the restarted agent to report',
    );
    expect(await readChain(names.forwardChain)).toEqual(rules);
    expect(await countJumps('FORWARD', names.forwardChain)).toBe(1);
    expect(await countJumps('INPUT', names.inputChain)).toBe(1);
    expect(await countMounts(storageDir)).toBe(1);
    expect((await stateOf()).attachments[serverId]?.ip).toBe(server);
    expect(await probeTcp(names.netns(clientId), server, 8080)).toBe('ok pong');
  }, 120_000);

  it('leaves nothing of the instances after their removal', async () => {
    const empty = join(bed.root, 'empty.json');
    await writeFile(empty, JSON.stringify({ messageType: 'desiredStatus', services: [], instances: [] }));
    const applied = await runCli(['apply', empty, '--storage-dir', bed.storageDir, '--wait', '--timeout', '60']);
    expect(applied.exitCode).toBe(0);
    await waitUntil(async () => Object.keys((await stateOf()).attachments).length === 0, 30_000, 'the detach');
    const leftovers = await findLeftovers(tag, bed.root, addresses);
    expect(leftovers).toMatchObject({ netns: [], links: [], cniRules: [], mounts: [], loops: [] });
    // Only the agent's two chains, with no rule naming an instance.
    expect(leftovers.chains.filter((line) => line.startsWith('-N'))).toEqual([
      `-N ${networkNames(tag).forwardChain}`,
      `-N ${networkNames(tag).inputChain}`,
    ]);
    expect(leftovers.chains.some((line) => line.includes('/32'))).toBe(false);
  }, 90_000);
});
