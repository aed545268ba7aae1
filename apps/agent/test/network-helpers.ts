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
  const ruleText = (await execa('iptables', ['-w', '-S'])).stdout + '\n' + (await execa('iptables', ['-w', '-t', 'nat', '-S'])).stdout;
  const cniRules = ruleText
    .split('\n')
    .filter((line) => line.includes(`openaos-${tag}`) || addresses.some((address) => line.includes(`${address}/32`)));
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${root}/`) && (point.includes('/storage/storage/') || point.includes('/storage/state/')));
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
