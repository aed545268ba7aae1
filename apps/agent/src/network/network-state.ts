import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../persist/atomic-write.js';

/** One bridge network: all instances of one service provider (AosEdge: `networkID = providerID`). */
export interface NetworkRecord {
  providerId: string;
  /** Linux bridge name, `oa<tag><index>`. */
  bridge: string;
  /** `a.b.c.0/24`. */
  subnet: string;
  gateway: string;
}

/** What an instance's network is made of; the firewall rules are rebuilt from these. */
export interface AttachmentRecord {
  instanceId: string;
  serviceId: string;
  providerId: string;
  /** Name under /run/netns. */
  netnsName: string;
  /** IPv4 address without prefix; empty while the CNI ADD has not finished. */
  ip: string;
  hostname?: string;
  /** "port[-port]/proto" as the service config has them. */
  exposedPorts: string[];
  /** "<serviceId>/<port[-port]>/<proto>". */
  allowedConnections: string[];
  /** The result of the CNI ADD, passed to DEL as libcni's cache would. */
  cniResult?: Record<string, unknown>;
  /** kbit/s, undefined when not shaped. */
  uploadSpeed?: number;
  downloadSpeed?: number;
  /** Volume caps, bytes per traffic period. */
  uploadLimit?: number;
  downloadLimit?: number;
  /** Start of the traffic period the accounting chains count (ISO). */
  trafficPeriodStart?: string;
}

/** `<storage>/network/state.json`: the network manager's records; it is their one writer. */
export interface NetworkState {
  formatVersion: 1;
  networks: Record<string, NetworkRecord>;
  attachments: Record<string, AttachmentRecord>;
}

export function createEmptyNetworkState(): NetworkState {
  return { formatVersion: 1, networks: {}, attachments: {} };
}

export async function loadNetworkState(path: string): Promise<NetworkState> {
  await mkdir(dirname(path), { recursive: true });
  return { ...createEmptyNetworkState(), ...((await readJsonFile<NetworkState>(path)) ?? {}) };
}

export async function saveNetworkState(path: string, state: NetworkState): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(state, null, 1));
}

/**
 * Six hex digits naming one agent's network objects (bridges, chains, namespaces), from its
 * storage directory: two agents on one machine (tests) never share them, and a restarted
 * agent finds its own again.
 */
export function computeNetworkTag(storageRoot: string): string {
  return createHash('sha256').update(storageRoot).digest('hex').slice(0, 6);
}

/** The names of one agent's network objects, in one place (the README lists them). */
export function networkNames(tag: string) {
  return {
    /** Prefix of every bridge; `<prefix>+` matches them all in iptables. */
    bridgePrefix: `oa${tag}`,
    bridge: (index: number) => `oa${tag}${index.toString(16).padStart(2, '0')}`,
    forwardChain: `OPENAOS-${tag}-FWD`,
    inputChain: `OPENAOS-${tag}-IN`,
    netnsPrefix: `openaos-${tag}-`,
    netns: (instanceId: string) => `openaos-${tag}-${instanceId}`,
    /** CNI network name (host-local keeps its leases under `<ipam dir>/<name>/`). */
    cniNetwork: (providerId: string) =>
      `openaos-${tag}-${createHash('sha256').update(providerId).digest('hex').slice(0, 12)}`,
  };
}
export type NetworkNames = ReturnType<typeof networkNames>;
