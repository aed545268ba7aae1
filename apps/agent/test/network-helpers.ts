import { readdir, readFile } from 'node:fs/promises';
import { execa } from 'execa';
import type { DesiredStatus } from '../src/formats/desired-status.js';
import { SUBJECT, type TestImage } from './helpers.js';

/** A config.yaml for a Python service with network/quota settings given as YAML lines under `configuration:`. */
export function networkServiceYaml(options: { uid: string; version?: string; script: string; extra?: string }): string {
  return `publisher:
    author: 'Agent Tests'
build:
    os: linux
    arch: x86_64
    sign_pkcs12: aos-user-sp.p12
publish:
    url: localhost
    service_uid: ${options.uid}
    version: "${options.version ?? '1.0.0'}"
configuration:
    cmd: python3 -u /srv/app/${options.script}
    workingDir: /srv/app
    runParameters:
        startInterval: PT1S
        startBurst: 2
        restartInterval: PT0.3S
    runners:
        - runc
${options.extra ?? ''}`;
}

/** A desired status with each service's provider. */
export function providerDesiredStatus(
  services: { id: string; version?: string; providerId: string; image: TestImage; numInstances?: number }[],
): DesiredStatus {
  return {
    messageType: 'desiredStatus',
    services: services.map((service) => ({
      id: service.id,
      version: service.version ?? '1.0.0',
      providerId: service.providerId,
      manifestDigest: service.image.manifestDigest,
      urls: [service.image.directory],
    })),
    instances: services.map((service) => ({
      serviceId: service.id,
      subjectId: SUBJECT,
      priority: 0,
      numInstances: service.numInstances ?? 1,
    })),
  };
}

const PROBE = `
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket()
s.settimeout(2)
try:
    s.connect((host, port))
    s.sendall(b"ping\\n")
    print("ok " + s.recv(100).decode().strip())
except ConnectionRefusedError:
    print("refused")
except (socket.timeout, TimeoutError):
    print("timeout")
except OSError as error:
    print("error " + str(error))
`;

/** Open a TCP connection from inside network namespace `netns` (a process there, as the container's would). */
export async function probeTcp(netns: string, host: string, port: number): Promise<string> {
  const result = await execa('ip', ['netns', 'exec', netns, 'python3', '-c', PROBE, host, String(port)], {
    reject: false,
  });
  return result.stdout.trim() || result.stderr.trim();
}

/** Everything of one agent's networking and volumes that the host still has (should be empty after removal). */
export async function findLeftovers(tag: string, root: string, addresses: readonly string[] = []) {
  const netns = (await readdir('/run/netns').catch(() => [] as string[])).filter((name) =>
    name.startsWith(`openaos-${tag}-`),
  );
  const links = (await execa('ip', ['-o', 'link', 'show'])).stdout
    .split('\n')
    .map((line) => line.split(':')[1]?.trim().split('@')[0] ?? '')
    .filter((name) => name.startsWith(`oa${tag}`));
  const chains = (await execa('iptables', ['-w', '-S'])).stdout
    .split('\n')
    .filter((line) => line.includes(`OPENAOS-${tag}`));
  // Rules the CNI plugins wrote for the instances' addresses (firewall: filter; bridge ipMasq: nat).
  const ruleText =
    (await execa('iptables', ['-w', '-S'])).stdout + '\n' + (await execa('iptables', ['-w', '-t', 'nat', '-S'])).stdout;
  const cniRules = ruleText
    .split('\n')
    .filter((line) => line.includes(`openaos-${tag}`) || addresses.some((address) => line.includes(`${address}/32`)));
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter(
      (point) =>
        point.startsWith(`${root}/`) && (point.includes('/storage/storage/') || point.includes('/storage/state/')),
    );
  const loops = (await execa('losetup', ['-a'], { reject: false })).stdout
    .split('\n')
    .filter((line) => line.includes(root));
  return { netns, links, chains, cniRules, mounts, loops };
}

/** The iptables rules of one chain (`-A` lines). */
export async function readChain(chain: string): Promise<string[]> {
  const result = await execa('iptables', ['-w', '-S', chain], { reject: false });
  return result.stdout.split('\n').filter((line) => line.startsWith('-A'));
}

/**
 * A network namespace of the test's own standing in for "the internet": a veth pair from the
 * host (198.51.100.1, TEST-NET-2) to it (198.51.100.2). Instances reach it through the host's
 * routing and NAT like any remote address, and no packet leaves this machine.
 */
export async function createRemoteNamespace(suffix: string) {
  const name = `oatest-remote-${suffix}`;
  const hostIf = `oatr${suffix}`.slice(0, 15);
  const remove = async () => {
    await execa('ip', ['netns', 'del', name], { reject: false });
    await execa('ip', ['link', 'del', hostIf], { reject: false });
  };
  await remove();
  await execa('ip', ['netns', 'add', name]);
  await execa('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name]);
  await execa('ip', ['addr', 'add', '198.51.100.1/24', 'dev', hostIf]);
  await execa('ip', ['link', 'set', hostIf, 'up']);
  const inRemote = (args: string[]) => execa('ip', ['netns', 'exec', name, ...args]);
  await inRemote(['ip', 'addr', 'add', '198.51.100.2/24', 'dev', 'eth0']);
  await inRemote(['ip', 'link', 'set', 'eth0', 'up']);
  await inRemote(['ip', 'link', 'set', 'lo', 'up']);
  await inRemote(['ip', 'route', 'add', 'default', 'via', '198.51.100.1']);
  return { name, address: '198.51.100.2', remove };
}

/** Run a Python script inside a network namespace; resolves with its stdout. */
export function runInNamespace(netns: string, script: string, args: string[] = []) {
  return execa('ip', ['netns', 'exec', netns, 'python3', '-c', script, ...args], { reject: false });
}

/** Receives one connection, prints "received <bytes> in <seconds>" (first to last byte). */
export const SINK = `
import socket, sys, time
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", int(sys.argv[1])))
server.listen(1)
print("ready", flush=True)
connection, _ = server.accept()
connection.settimeout(float(sys.argv[2]) if len(sys.argv) > 2 else 30)
total, first, last = 0, None, None
try:
    while True:
        data = connection.recv(65536)
        if not data:
            break
        now = time.monotonic()
        first = first or now
        last = now
        total += len(data)
except socket.timeout:
    pass
print("received %d in %.3f" % (total, (last or 0) - (first or 0)), flush=True)
`;

/**
 * Connects, sends argv[3] bytes, prints "sent <bytes>" or "stalled after <bytes>"; a stalled
 * connection is aborted (RST, the unsent bytes discarded) rather than left to retransmit.
 */
export const SENDER = `
import socket, struct, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.settimeout(3)
left, sent, chunk = int(sys.argv[3]), 0, b"x" * 16384
try:
    while left > 0:
        n = s.send(chunk[: min(left, len(chunk))])
        sent += n
        left -= n
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    print("sent %d" % sent, flush=True)
except (socket.timeout, TimeoutError):
    print("stalled after %d" % sent, flush=True)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
`;

/**
 * Start a Python server in `netns` and wait for its "ready" line; `result` settles when it
 * exits. (Wrapped: the subprocess is a thenable, which an async function would wait for.)
 */
export async function startInNamespace(netns: string, script: string, args: string[]) {
  const child = execa('ip', ['netns', 'exec', netns, 'python3', '-u', '-c', script, ...args], { reject: false });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('ready')) resolve();
    });
    void child.then((result) => reject(new Error(`server exited: ${result.stderr}`)));
  });
  return { result: child };
}
