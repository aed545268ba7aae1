import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runProgram } from '../run-program.js';
import { AgentError, describeError } from '../errors.js';
import { applyFirewall, removeFirewall } from './apply-firewall.js';
import { DEFAULT_CNI_BIN_DIR, runCniConfList, runCniPlugin, type CniRuntime } from './cni-plugin.js';
import { buildFirewallRules } from './firewall-rules.js';
import {
  computeNetworkTag,
  loadNetworkState,
  networkNames,
  saveNetworkState,
  type AttachmentRecord,
  type NetworkNames,
  type NetworkRecord,
  type NetworkState,
} from './network-state.js';
import { pickSubnet, readRoutedPrefixes } from './pick-subnet.js';
import {
  hasTrafficChains,
  periodStart,
  readTraffic,
  removeTrafficChains,
  trafficChains,
  writeTrafficChains,
  type InstanceTraffic,
  type TrafficPeriod,
} from './traffic-accounting.js';

/** Provider of services whose desired status names none. */
export const DEFAULT_PROVIDER = 'default';
/** Pool the provider networks' /24 subnets come from. */
export const DEFAULT_SUBNET_POOL = '172.29.0.0/16';
const NETNS_DIR = '/run/netns';

export interface NetworkOptions {
  /** The agent's storage root: names the agent's objects (see computeNetworkTag). */
  storageRoot: string;
  /** `<storage>/network`: state.json, the IPAM leases, the unit's hosts file. */
  directory: string;
  cniBinDir?: string;
  subnetPool?: string;
  /** Period of the volume caps (`uploadLimit`/`downloadLimit`); default a UTC day. */
  trafficPeriod?: TrafficPeriod;
  log: (message: string) => void;
}

/** What an instance needs to be networked; from its service config. */
export interface AttachRequest {
  instanceId: string;
  serviceId: string;
  providerId: string;
  hostname?: string;
  exposedPorts: string[];
  allowedConnections: string[];
  uploadSpeed?: number;
  downloadSpeed?: number;
  uploadLimit?: number;
  downloadLimit?: number;
}

/**
 * Networks of the instances (reference §4.5). Invariants:
 * - every attachment in state.json was written BEFORE its CNI ADD, so an interrupted ADD is
 *   found and undone (CNI DEL is idempotent) by the next `restore`;
 * - the firewall chains are always rebuilt whole from state.json (never patched), so a rule
 *   exists exactly once and only while its instances are attached;
 * - a network (bridge, subnet, leases) exists while at least one instance is attached to it.
 */
export class NetworkManager {
  readonly names: NetworkNames;
  private state: NetworkState | undefined;
  private readonly statePath: string;
  readonly hostsPath: string;
  private readonly ipamDir: string;
  private readonly cniBinDir: string;
  /** One operation at a time: the monitor's meterTraffic runs beside the reconcile loop's attach/detach. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: NetworkOptions) {
    this.names = networkNames(computeNetworkTag(resolve(options.storageRoot)));
    this.statePath = join(options.directory, 'state.json');
    this.hostsPath = join(options.directory, 'hosts');
    this.ipamDir = join(options.directory, 'ipam');
    this.cniBinDir = options.cniBinDir ?? DEFAULT_CNI_BIN_DIR;
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async load(): Promise<NetworkState> {
    this.state ??= await loadNetworkState(this.statePath);
    return this.state;
  }

  private async save(): Promise<void> {
    await saveNetworkState(this.statePath, await this.load());
  }

  /** The attachment of an instance (its address), once attached. */
  async attachment(instanceId: string): Promise<AttachmentRecord | undefined> {
    return (await this.load()).attachments[instanceId];
  }

  /** Every network and attachment (for status and tests). */
  async snapshot(): Promise<NetworkState> {
    return structuredClone(await this.load());
  }

  private confList(network: NetworkRecord, attachment: AttachmentRecord) {
    const plugins: Record<string, unknown>[] = [
      {
        type: 'bridge',
        bridge: network.bridge,
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: network.subnet, gateway: network.gateway }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: this.ipamDir,
        },
      },
    ];
    const ingress = attachment.downloadSpeed;
    const egress = attachment.uploadSpeed;
    if (ingress !== undefined || egress !== undefined) {
      // kbit/s on the device (reference §6) → bit/s for tc; a burst of 100 ms of traffic
      // (never below a few full frames, which tbf needs).
      const burst = (kbit: number) => Math.max(Math.round(kbit * 100), 8 * 1500 * 4);
      const bandwidth: Record<string, number> = {};
      if (ingress !== undefined)
        Object.assign(bandwidth, { ingressRate: ingress * 1000, ingressBurst: burst(ingress) });
      if (egress !== undefined) Object.assign(bandwidth, { egressRate: egress * 1000, egressBurst: burst(egress) });
      plugins.push({ type: 'bandwidth', capabilities: { bandwidth: true }, runtimeConfig: { bandwidth } });
    }
    plugins.push({ type: 'firewall', backend: 'iptables' });
    return { cniVersion: '1.0.0', name: this.names.cniNetwork(network.providerId), plugins };
  }

  private runtime(attachment: AttachmentRecord, ifName = 'eth0'): CniRuntime {
    return { containerId: attachment.instanceId, netns: join(NETNS_DIR, attachment.netnsName), ifName };
  }

  private async ensureNetwork(providerId: string): Promise<NetworkRecord> {
    const state = await this.load();
    const existing = state.networks[providerId];
    if (existing) return existing;
    const picked = pickSubnet(
      this.options.subnetPool ?? DEFAULT_SUBNET_POOL,
      Object.values(state.networks).map((network) => network.subnet),
      await readRoutedPrefixes(),
      Number.parseInt(this.names.bridgePrefix.slice(2, 4), 16),
    );
    if (!picked) {
      throw new AgentError(
        'network-failed',
        `creating the network of provider ${providerId}: no free /24 left in ${this.options.subnetPool ?? DEFAULT_SUBNET_POOL}; remove services of other providers or give the agent a larger subnet pool`,
      );
    }
    const network = {
      providerId,
      bridge: this.names.bridge(picked.index),
      subnet: picked.subnet,
      gateway: picked.gateway,
    };
    state.networks[providerId] = network;
    await this.save();
    return network;
  }

  private async hasNetns(name: string): Promise<boolean> {
    return readdir(NETNS_DIR).then(
      (entries) => entries.includes(name),
      () => false,
    );
  }

  /**
   * Network an instance before it starts: its provider's network (created on first use), a
   * namespace, an address (host-local, persisted), shaping and the firewall. Idempotent: an
   * instance already attached with the same shaping keeps its namespace and address (a
   * restart or an update of the same service); its ports and permissions are refreshed.
   * Returns the namespace path for the runtime spec.
   */
  attach(request: AttachRequest): Promise<{ netnsPath: string; ip: string }> {
    return this.serialize(() => this.attachNow(request));
  }

  private async attachNow(request: AttachRequest): Promise<{ netnsPath: string; ip: string }> {
    const state = await this.load();
    const network = await this.ensureNetwork(request.providerId);
    const previous = state.attachments[request.instanceId];
    const next: AttachmentRecord = {
      instanceId: request.instanceId,
      serviceId: request.serviceId,
      providerId: request.providerId,
      netnsName: this.names.netns(request.instanceId),
      ip: '',
      exposedPorts: request.exposedPorts,
      allowedConnections: request.allowedConnections,
      ...(request.hostname ? { hostname: request.hostname } : {}),
      ...(request.uploadSpeed !== undefined ? { uploadSpeed: request.uploadSpeed } : {}),
      ...(request.downloadSpeed !== undefined ? { downloadSpeed: request.downloadSpeed } : {}),
      ...(request.uploadLimit !== undefined ? { uploadLimit: request.uploadLimit } : {}),
      ...(request.downloadLimit !== undefined ? { downloadLimit: request.downloadLimit } : {}),
    };
    const isReusable =
      previous !== undefined &&
      previous.ip !== '' &&
      previous.providerId === next.providerId &&
      previous.uploadSpeed === next.uploadSpeed &&
      previous.downloadSpeed === next.downloadSpeed &&
      (await this.hasNetns(previous.netnsName));
    if (isReusable) {
      const isSameCaps = previous.uploadLimit === next.uploadLimit && previous.downloadLimit === next.downloadLimit;
      state.attachments[request.instanceId] = {
        ...next,
        ip: previous.ip,
        ...(previous.cniResult ? { cniResult: previous.cniResult } : {}),
        // Same caps: the period's counters go on; new caps start a new count.
        ...(isSameCaps && previous.trafficPeriodStart ? { trafficPeriodStart: previous.trafficPeriodStart } : {}),
      };
    } else {
      if (previous) await this.release(previous);
      state.attachments[request.instanceId] = next;
      await this.save();
      if (!(await this.hasNetns(next.netnsName))) await runProgram('ip', ['netns', 'add', next.netnsName]);
      await runCniPlugin(this.cniBinDir, 'ADD', this.runtime(next, 'lo'), {
        cniVersion: '1.0.0',
        name: 'loopback',
        type: 'loopback',
      });
      const result = await runCniConfList(this.cniBinDir, 'ADD', this.runtime(next), this.confList(network, next));
      const ips = (result.ips ?? []) as { address?: string }[];
      const ip = ips[0]?.address?.split('/')[0];
      if (!ip)
        throw new AgentError('network-failed', `attaching ${request.instanceId}: the bridge plugin gave no address`);
      next.ip = ip;
      next.cniResult = result;
    }
    const attached = state.attachments[request.instanceId] ?? next;
    if (attached.trafficPeriodStart === undefined || !(await hasTrafficChains(this.names, request.instanceId)))
      await this.startTrafficPeriod(attached, new Date());
    await this.save();
    await this.refresh();
    return { netnsPath: join(NETNS_DIR, next.netnsName), ip: attached.ip };
  }

  private async startTrafficPeriod(attachment: AttachmentRecord, now: Date): Promise<void> {
    await writeTrafficChains(this.names, attachment.instanceId, {
      ...(attachment.uploadLimit !== undefined ? { uploadLimit: attachment.uploadLimit } : {}),
      ...(attachment.downloadLimit !== undefined ? { downloadLimit: attachment.downloadLimit } : {}),
    });
    attachment.trafficPeriodStart = periodStart(now, this.options.trafficPeriod ?? 'day');
  }

  /**
   * Each attached instance's traffic this period (bytes, local and bridge traffic excluded),
   * and whether a cap blocks it. A new period starts the counters and caps again.
   */
  meterTraffic(now: Date = new Date()): Promise<Map<string, InstanceTraffic>> {
    return this.serialize(() => this.meterTrafficNow(now));
  }

  private async meterTrafficNow(now: Date): Promise<Map<string, InstanceTraffic>> {
    const state = await this.load();
    const readings = new Map<string, InstanceTraffic>();
    let isChanged = false;
    for (const attachment of Object.values(state.attachments)) {
      if (attachment.ip === '') continue;
      if (attachment.trafficPeriodStart !== periodStart(now, this.options.trafficPeriod ?? 'day')) {
        await this.startTrafficPeriod(attachment, now);
        isChanged = true;
      }
      readings.set(
        attachment.instanceId,
        await readTraffic(this.names, attachment.instanceId, {
          ...(attachment.uploadLimit !== undefined ? { uploadLimit: attachment.uploadLimit } : {}),
          ...(attachment.downloadLimit !== undefined ? { downloadLimit: attachment.downloadLimit } : {}),
        }),
      );
    }
    if (isChanged) await this.save();
    return readings;
  }

  /** CNI DEL and the namespace; the record stays (the caller deletes or replaces it). */
  private async release(attachment: AttachmentRecord): Promise<void> {
    const state = await this.load();
    const network = state.networks[attachment.providerId];
    if (network) {
      await runCniConfList(
        this.cniBinDir,
        'DEL',
        this.runtime(attachment),
        this.confList(network, attachment),
        attachment.cniResult,
      ).catch((error: unknown) =>
        this.options.log(`network: releasing ${attachment.instanceId}: ${describeError(error)}`),
      );
    }
    if (await this.hasNetns(attachment.netnsName))
      await runProgram('ip', ['netns', 'del', attachment.netnsName]).catch((error: unknown) =>
        this.options.log(`network: deleting namespace ${attachment.netnsName}: ${describeError(error)}`),
      );
  }

  /** Take an instance off its network (after its container stopped); removes the network when it was the last. */
  detach(instanceId: string): Promise<void> {
    return this.serialize(() => this.detachNow(instanceId));
  }

  private async detachNow(instanceId: string): Promise<void> {
    const state = await this.load();
    const attachment = state.attachments[instanceId];
    if (!attachment) return;
    await this.release(attachment);
    delete state.attachments[instanceId];
    await this.save();
    await this.removeUnusedNetworks();
    await this.refresh();
    await removeTrafficChains(this.names, instanceId);
  }

  private async removeUnusedNetworks(): Promise<void> {
    const state = await this.load();
    const used = new Set(Object.values(state.attachments).map((attachment) => attachment.providerId));
    for (const network of Object.values(state.networks)) {
      if (used.has(network.providerId)) continue;
      await runProgram('ip', ['link', 'del', network.bridge]).catch(() => undefined);
      await rm(join(this.ipamDir, this.names.cniNetwork(network.providerId)), { recursive: true, force: true });
      delete state.networks[network.providerId];
    }
    await this.save();
  }

  /** Rebuild the firewall chains and the hosts file from the records. */
  private async refresh(): Promise<void> {
    const state = await this.load();
    await applyFirewall(this.names, buildFirewallRules(state, this.names));
    await this.writeHosts(state);
  }

  /**
   * The unit's hosts file, bind-mounted read-only on every instance's /etc/hosts and rewritten
   * in place (same inode, so running instances see the change): each instance resolves as
   * `<instanceId>`, and as its service config's `hostname` and `<serviceId>` (first instance
   * listed wins). Reaching an address is still up to the firewall.
   */
  private async writeHosts(state: NetworkState): Promise<void> {
    const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
    const attachments = Object.values(state.attachments)
      .filter((attachment) => attachment.ip !== '')
      .sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0)); // code points: localeCompare loads ICU's collation data (2.7 MiB)
    for (const attachment of attachments)
      lines.push(
        [attachment.ip, attachment.instanceId, attachment.hostname, attachment.serviceId].filter(Boolean).join('\t'),
      );
    const text = lines.join('\n') + '\n';
    const current = await readFile(this.hostsPath, 'utf8').catch(() => undefined);
    if (current !== text) await writeFile(this.hostsPath, text);
  }

  /**
   * At agent start: undo attachments of instances that no longer exist (an interrupted
   * removal or ADD), delete this agent's namespaces that no record names, remove unused
   * networks, rebuild the firewall and hosts file.
   */
  restore(instanceIds: readonly string[]): Promise<void> {
    return this.serialize(() => this.restoreNow(instanceIds));
  }

  private async restoreNow(instanceIds: readonly string[]): Promise<void> {
    const state = await this.load();
    const keep = new Set(instanceIds);
    for (const attachment of Object.values(state.attachments)) {
      if (keep.has(attachment.instanceId) && attachment.ip !== '') continue;
      await this.release(attachment);
      delete state.attachments[attachment.instanceId];
    }
    await this.save();
    const known = new Set(Object.values(state.attachments).map((attachment) => attachment.netnsName));
    for (const name of await readdir(NETNS_DIR).catch(() => [] as string[]))
      if (name.startsWith(this.names.netnsPrefix) && !known.has(name))
        await runProgram('ip', ['netns', 'del', name]).catch(() => undefined);
    await this.removeUnusedNetworks();
    for (const attachment of Object.values(state.attachments))
      if (!(await hasTrafficChains(this.names, attachment.instanceId)))
        await this.startTrafficPeriod(attachment, new Date());
    await this.save();
    await this.refresh();
    // Accounting chains no attachment uses (their instances were removed above, or long ago).
    const wanted = new Set(
      Object.values(state.attachments).flatMap((attachment) =>
        Object.values(trafficChains(this.names, attachment.instanceId)),
      ),
    );
    const prefix = this.names.forwardChain.replace(/-FWD$/, '');
    const existing = (await runProgram('iptables', ['-w', '-S']).catch(() => ''))
      .split('\n')
      .filter((line) => line.startsWith(`-N ${prefix}-U`) || line.startsWith(`-N ${prefix}-D`))
      .map((line) => line.slice(3));
    for (const chain of existing)
      if (!wanted.has(chain)) {
        await runProgram('iptables', ['-w', '-F', chain]).catch(() => undefined);
        await runProgram('iptables', ['-w', '-X', chain]).catch(() => undefined);
      }
  }

  /** Remove every network object of this agent: attachments, namespaces, bridges, chains. */
  removeAll(): Promise<void> {
    return this.serialize(async () => {
      // From the file, not this object's copy: another agent process (a daemon started on the same
      // storage after this object loaded it) may have attached instances since. With a stale copy,
      // their namespaces went as unknown ones and the CNI DEL that removes their rules never ran.
      this.state = await loadNetworkState(this.statePath);
      await this.restoreNow([]);
      await removeFirewall(this.names);
      await rm(this.hostsPath, { force: true });
    });
  }
}
