import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../src/index.js';
import { createInstanceId } from '../src/index.js';
import { computeNetworkTag, networkNames } from '../src/network/network-state.js';
import { buildTestImage, createTestBed, reconcileUntil, type TestImage } from './helpers.js';
import { findLeftovers, networkServiceYaml, probeTcp, providerDesiredStatus, readChain } from './network-helpers.js';

const isRoot = process.getuid?.() === 0;

const SERVER = '11111111-1111-4111-8111-111111111111';
const PEER = '22222222-2222-4222-8222-222222222222';
const CLIENT = '33333333-3333-4333-8333-333333333333';
const STRANGER = '44444444-4444-4444-8444-444444444444';

/** Answers "pong <port>" on 8080 (exposed) and 9090 (not exposed). */
const SERVER_SCRIPT = `
import socketserver, threading
class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        self.rfile.readline()
        self.wfile.write(("pong %d\\n" % self.server.server_address[1]).encode())
socketserver.ThreadingTCPServer.allow_reuse_address = True
servers = [socketserver.ThreadingTCPServer(("0.0.0.0", port), Handler) for port in (8080, 9090)]
for server in servers[1:]:
    threading.Thread(target=server.serve_forever, daemon=True).start()
print("listening", flush=True)
servers[0].serve_forever()
`;

/** Resolves the server by its service ID through /etc/hosts and prints what it answers. */
const PEER_SCRIPT = `
import socket, time
while True:
    try:
        with socket.create_connection(("${SERVER}", 8080), timeout=2) as s:
            s.sendall(b"ping\\n")
            print("reply " + s.recv(100).decode().strip(), flush=True)
    except OSError as error:
        print("failed " + str(error), flush=True)
    time.sleep(0.5)
`;

const SLEEPER = 'import time\ntime.sleep(3600)\n';

describe.skipIf(!isRoot).sequential('instance networks (real runc, CNI plugins, iptables)', () => {
  let bed: Awaited<ReturnType<typeof createTestBed>>;
  let agent: Agent;
  let tag = '';
  const images: Record<string, TestImage> = {};
  const ids = {
    server: createInstanceId(SERVER, 'subject-1', 0),
    peer: createInstanceId(PEER, 'subject-1', 0),
    client: createInstanceId(CLIENT, 'subject-1', 0),
    stranger: createInstanceId(STRANGER, 'subject-1', 0),
  };
  let hostServer: Server | undefined;
  /** Every address an instance had, to check that no rule names one after removal. */
  const addresses = new Set<string>();

  const target = () =>
    providerDesiredStatus([
      { id: SERVER, providerId: 'provider-a', image: images.server! },
      { id: PEER, providerId: 'provider-a', image: images.peer! },
      { id: CLIENT, providerId: 'provider-b', image: images.client! },
      { id: STRANGER, providerId: 'provider-b', image: images.stranger! },
    ]);

  beforeAll(async () => {
    bed = await createTestBed('network');
    tag = computeNetworkTag(bed.storageDir);
    const build = async (name: string, uid: string, script: string, extra: string) => {
      images[name] = await buildTestImage(join(bed.root, name), networkServiceYaml({ uid, script: 'main.py', extra }), {
        'srv/app/main.py': script,
      });
    };
    await build('server', SERVER, SERVER_SCRIPT, '    hostname: echo-server\n    exposedPorts:\n        - 8080/tcp\n');
    await build('peer', PEER, PEER_SCRIPT, '');
    await build(
      'client',
      CLIENT,
      SLEEPER,
      `    allowedConnections:\n        - ${SERVER}/8080/tcp\n        - ${SERVER}/9090/tcp\n`,
    );
    await build('stranger', STRANGER, SLEEPER, '');
    agent = await bed.openAgent({ network: { subnetPool: '172.29.0.0/16' } });
  }, 120_000);

  afterAll(async () => {
    hostServer?.close();
    await bed?.cleanup();
    // Nothing of the agent's networking is left, even when a test failed half-way.
    if (tag)
      expect(await findLeftovers(tag, bed.root, [...addresses])).toEqual({
        netns: [],
        links: [],
        chains: [],
        cniRules: [],
        mounts: [],
        loops: [],
      });
  });

  const ipOf = async (instanceId: string) => {
    const ip = (await agent.network!.attachment(instanceId))!.ip;
    addresses.add(ip);
    return ip;
  };
  const netnsOf = (instanceId: string) => networkNames(tag).netns(instanceId);

  it('gives each provider a bridge network and each instance an address in it', async () => {
    await agent.acceptTarget(target());
    await reconcileUntil(
      agent,
      (pass) => pass.status.instances.length === 4 && pass.status.instances.every((i) => i.status === 'active'),
      60_000,
    );
    const state = await agent.network!.snapshot();
    expect(Object.keys(state.networks).sort()).toEqual(['provider-a', 'provider-b']);
    const subnetA = state.networks['provider-a']!.subnet.replace(/\.0\/24$/, '.');
    const subnetB = state.networks['provider-b']!.subnet.replace(/\.0\/24$/, '.');
    expect(subnetA).not.toBe(subnetB);
    expect(await ipOf(ids.server)).toMatch(new RegExp(`^${subnetA.replaceAll('.', '\\.')}\\d+$`));
    expect(await ipOf(ids.client)).toMatch(new RegExp(`^${subnetB.replaceAll('.', '\\.')}\\d+$`));
  }, 90_000);

  it('lets two instances of one provider talk, by name', async () => {
    const server = await ipOf(ids.server);
    expect(await probeTcp(netnsOf(ids.peer), server, 8080)).toBe('ok pong 8080');
    // Within a provider's network every port is open (AosEdge), exposed or not.
    expect(await probeTcp(netnsOf(ids.peer), server, 9090)).toBe('ok pong 9090');
    // The peer container resolves the server by its service ID (the unit's hosts file) and gets replies.
    const { readFile } = await import('node:fs/promises');
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if ((await readFile(agent.logPath(ids.peer), 'utf8')).includes('reply pong 8080')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await readFile(agent.logPath(ids.peer), 'utf8')).toContain('reply pong 8080');
  });

  it('keeps two providers apart, except the one path allowedConnections opens to an exposed port', async () => {
    const server = await ipOf(ids.server);
    expect(await probeTcp(netnsOf(ids.stranger), server, 8080)).toBe('refused');
    expect(await probeTcp(netnsOf(ids.client), server, 8080)).toBe('ok pong 8080');
    // Allowed by the client, but the server does not expose 9090: closed.
    expect(await probeTcp(netnsOf(ids.client), server, 9090)).toBe('refused');
    // Nothing opens the other way.
    expect(await probeTcp(netnsOf(ids.server), await ipOf(ids.client), 8080)).toBe('refused');
    const rules = await readChain(networkNames(tag).forwardChain);
    expect(rules.filter((rule) => rule.includes('--dport'))).toEqual([
      `-A ${networkNames(tag).forwardChain} -s ${await ipOf(ids.client)}/32 -d ${server}/32 -p tcp -m tcp --dport 8080 -j ACCEPT`,
    ]);
  });

  it('does not let instances reach the unit’s own services', async () => {
    hostServer = createServer((socket) => socket.end('host\n'));
    await new Promise<void>((resolve) => hostServer!.listen(0, '0.0.0.0', resolve));
    const port = (hostServer.address() as { port: number }).port;
    const gateway = (await agent.network!.snapshot()).networks['provider-a']!.gateway;
    expect(await probeTcp(netnsOf(ids.server), gateway, port)).toBe('refused');
  });

  it('keeps addresses and rules across an agent restart, without duplicates', async () => {
    const before = await readChain(networkNames(tag).forwardChain);
    const address = await ipOf(ids.server);
    agent.stop();
    agent = await bed.openAgent({ network: { subnetPool: '172.29.0.0/16' } });
    expect(await readChain(networkNames(tag).forwardChain)).toEqual(before);
    expect(await ipOf(ids.server)).toBe(address);
    expect(await probeTcp(netnsOf(ids.client), address, 8080)).toBe('ok pong 8080');
  }, 30_000);

  it('removes rules, namespaces and bridges with the instances', async () => {
    await agent.acceptTarget({ messageType: 'desiredStatus', services: [], instances: [] });
    await reconcileUntil(agent, (pass) => pass.status.instances.length === 0, 30_000);
    const leftovers = await findLeftovers(tag, bed.root, [...addresses]);
    expect(leftovers.netns).toEqual([]);
    expect(leftovers.links).toEqual([]);
    expect(leftovers.cniRules).toEqual([]);
    // The chains stay while the agent runs, empty of anything naming an instance.
    expect((await readChain(networkNames(tag).forwardChain)).filter((rule) => rule.includes('/32'))).toEqual([]);
  }, 40_000);
});
