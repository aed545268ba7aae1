import type { AttachmentRecord, NetworkNames, NetworkState } from './network-state.js';
import { trafficChains } from './traffic-accounting.js';

/**
 * The agent's hand-written iptables rules — the only ones it writes itself (the CNI plugins
 * write the rest); README.md in this folder lists them with their reasons. Pure: the rules
 * follow from the network records alone, so a restarted agent rebuilds exactly them.
 */
export interface FirewallRules {
  /** Rules of the `forwardChain` (jumped to first from FORWARD), as iptables arguments. */
  forward: string[][];
  /** Rules of the `inputChain` (jumped to first from INPUT). */
  input: string[][];
}

interface PortRange {
  from: number;
  to: number;
  protocol: 'tcp' | 'udp';
}

/** "8080", "8080/udp", "8000-8010/tcp" → range; undefined when unreadable. */
export function parsePortRange(text: string): PortRange | undefined {
  const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp))?$/i.exec(text.trim());
  if (!match) return undefined;
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  if (from < 1 || to > 65_535 || to < from) return undefined;
  return { from, to, protocol: (match[3]?.toLowerCase() ?? 'tcp') as 'tcp' | 'udp' };
}

/** An `allowedConnections` entry: "<serviceId>/<port[-port]>[/<proto>]" (proto tcp by default). */
export function parseAllowedConnection(text: string): ({ serviceId: string } & PortRange) | undefined {
  const [serviceId, port, protocol] = text.split('/');
  if (!serviceId || !port) return undefined;
  const range = parsePortRange(protocol ? `${port}/${protocol}` : port);
  return range ? { serviceId, ...range } : undefined;
}

/** Whether `target` exposes the whole of `wanted` (same protocol, range inside one exposed range). */
function isExposed(target: AttachmentRecord, wanted: PortRange): boolean {
  return target.exposedPorts.some((text) => {
    const exposed = parsePortRange(text);
    return (
      exposed !== undefined &&
      exposed.protocol === wanted.protocol &&
      exposed.from <= wanted.from &&
      wanted.to <= exposed.to
    );
  });
}

/**
 * The connections opened by `allowedConnections`: client instance → server instance, port
 * range and protocol, only where the server's service exposes that port and protocol and the
 * two are in different networks (within one network everything is open, as AosEdge).
 */
export function listAllowedPaths(state: NetworkState) {
  const attachments = Object.values(state.attachments).filter((attachment) => attachment.ip !== '');
  return attachments.flatMap((client) =>
    client.allowedConnections.flatMap((text) => {
      const wanted = parseAllowedConnection(text);
      if (!wanted) return [];
      return attachments
        .filter(
          (server) =>
            server.serviceId === wanted.serviceId &&
            server.providerId !== client.providerId &&
            isExposed(server, wanted),
        )
        .map((server) => ({ client, server, ...wanted }));
    }),
  );
}

export function buildFirewallRules(state: NetworkState, names: NetworkNames): FirewallRules {
  const ours = `${names.bridgePrefix}+`;
  const attached = Object.values(state.attachments).filter((attachment) => attachment.ip !== '');
  const forward: string[][] = [
    // Every instance's traffic through its accounting chains first (traffic-accounting.ts):
    // they count it and DROP what is over a volume cap; the rest RETURNs here.
    ...attached.flatMap((attachment) => {
      const chains = trafficChains(names, attachment.instanceId);
      return [
        ['-s', `${attachment.ip}/32`, '-j', chains.upload],
        ['-d', `${attachment.ip}/32`, '-j', chains.download],
      ];
    }),
    // Replies to connections that a rule below let through.
    ['-o', ours, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
    // Within one provider's network everything is open.
    ...Object.values(state.networks).map((network) => ['-i', network.bridge, '-o', network.bridge, '-j', 'ACCEPT']),
    // allowedConnections: exactly the declared path, new connections from the client only.
    ...listAllowedPaths(state).map(({ client, server, from, to, protocol }) => [
      '-s',
      `${client.ip}/32`,
      '-d',
      `${server.ip}/32`,
      '-p',
      protocol,
      '--dport',
      from === to ? String(from) : `${from}:${to}`,
      '-j',
      'ACCEPT',
    ]),
    // Anything else between two networks: refused (a TCP client sees "connection refused").
    ['-i', ours, '-o', ours, '-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset'],
    ['-i', ours, '-o', ours, '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'],
    // Nothing from outside opens a connection into an instance.
    ['-o', ours, '-j', 'DROP'],
  ];
  const input: string[][] = [
    // The unit's own services (the agent, a local cloud) are not reachable from instances;
    // only replies to connections the host opened come back.
    ['-i', ours, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
    ['-i', ours, '-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset'],
    ['-i', ours, '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'],
  ];
  return { forward, input };
}
