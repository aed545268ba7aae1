/**
 * The cloud link: the agent's one connection to the cloud (docs/unit-channel.md). Invariants:
 * - One connection at a time; each carries a fresh `AosCert` proof made with the unit's key.
 * - A lost connection is retried with backoff (backoff.ts); a permanent refusal (401/403/409/410)
 *   stops the link with a log line. The agent and its containers never depend on the link: they
 *   keep running while the cloud is away, and nothing restarts when it comes back.
 * - On every connection the first message sent is a full unitStatus; after it, changes go as
 *   deltas (map-unit-status.ts). Status messages are sent one at a time, in order.
 * - Desired statuses go to the applier (apply-desired-status.ts), which verifies before acting.
 * - Nothing thrown in a socket or channel handler escapes: every handler catches and logs.
 */
import { link, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CLOUD_HTTP_PATHS, createCertificateToken, formatCertificateAuthorization } from '@openaos/protocol';
import {
  createChannel,
  DEFAULT_CHANNEL_LIMITS,
  type Alert,
  type ChannelLimits,
  type UnitChannel,
} from '@openaos/protocol/v7';
import type { Agent } from '../agent.js';
import { describeError } from '../errors.js';
import { DesiredStatusApplier } from './apply-desired-status.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { downloadBlob, downloadPaths, type DownloadProgress } from './download-blob.js';
import type { ImageFetcher } from './fetch-item-image.js';
import type { UnitIdentity } from './identity-store.js';
import { mapMonitoring, mapQuotaAlert } from './map-monitoring.js';
import { MonitoringOutbox } from './monitoring-buffer.js';
import { mapUnitStatus, nextStatusMessage, type V7UnitStatus } from './map-unit-status.js';
import { CloudRefusal, openSocket, webSocketUrl } from './open-socket.js';
import { writeLinkState } from './link-state.js';
import { ociArchitecture } from './select-manifest.js';
import { describeUnitNode } from './unit-node-info.js';
import { InstanceFailureAlerts } from './instance-alerts.js';
import { createStateSync, type StateSync } from './state-sync.js';
import { serveLogs } from '../logs/serve-logs.js';

export type LinkEvent =
  | { type: 'connected' }
  | { type: 'status-sent'; status: V7UnitStatus }
  | { type: 'disconnected'; reason: string }
  | { type: 'reconnecting'; delayMs: number; attempt: number }
  | { type: 'stopped'; reason: string };

export interface CloudLinkOptions {
  agent: Agent;
  identity: UnitIdentity;
  /** Overrides the URL stored at provisioning. */
  cloudUrl?: string;
  log?: (message: string) => void;
  /** Channel limits (ping period, timeouts…); the defaults of the protocol otherwise. */
  limits?: Partial<ChannelLimits>;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** For tests and the daemon's log. */
  onEvent?: (event: LinkEvent) => void;
  /** Delay before a failed desired status is first tried again on the same connection (default 10 s; doubles, up to 5 min). */
  retryFailedMs?: number;
  /** How often buffered monitoring samples are sent (default 60 s). */
  monitoringPeriodMs?: number;
  /** Monitoring samples held while the cloud is away (default 10 000; the oldest go first). */
  monitoringBufferSamples?: number;
}

const PROGRESS_PERIOD_MS = 1000;
const MAX_RETRY_FAILED_MS = 5 * 60_000;

export class CloudLink {
  private readonly log: (message: string) => void;
  private readonly cloudUrl: string;
  private readonly backoff: Backoff;
  private readonly applier: DesiredStatusApplier;
  private isStopped = false;
  private channel: UnitChannel | undefined;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** The full status the cloud holds (last sent on this connection). */
  private sentStatus: V7UnitStatus | undefined;
  private statusQueue: Promise<void> = Promise.resolve();
  private readonly progressSentAt = new Map<string, number>();
  private stateWrites: Promise<void> = Promise.resolve();
  private readonly monitoring: MonitoringOutbox;
  private readonly stateSync: StateSync;
  private readonly failureAlerts = new InstanceFailureAlerts();

  constructor(private readonly options: CloudLinkOptions) {
    this.log = options.log ?? (() => undefined);
    this.cloudUrl = options.cloudUrl ?? options.identity.cloudUrl;
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, options.random);
    const { agent, identity } = options;
    this.stateSync = createStateSync(agent.paths, this.log);
    this.applier = new DesiredStatusApplier({
      systemId: identity.systemId,
      trustedCa: identity.trustedCa,
      identityFingerprint: identity.credential.certificate.fingerprint256,
      appliedPath: agent.files.cloudApplied,
      downloadsDir: agent.paths.downloads,
      acceptTarget: (target) => agent.acceptTarget(target),
      agentStatus: () => agent.status(),
      onOverlay: () => void this.queueStatus(),
      onRefused: (message) =>
        this.sendAlert({
          tag: 'coreAlert',
          node: { codename: agent.options.nodeId ?? 'main' },
          coreComponent: 'agent',
          message,
        }),
      log: this.log,
    });
    this.monitoring = new MonitoringOutbox({
      take: () => mapMonitoring(agent.takeMonitoringData(), this.nodeCodename),
      channel: () => this.channel,
      periodMs: options.monitoringPeriodMs,
      maxSamples: options.monitoringBufferSamples,
      node: agent.options.nodeId ?? 'main',
      log: this.log,
      file: agent.files.monitoringOutbox,
    });
  }

  /** Start connecting (in the background) until `stop()`. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Close the connection and stop reconnecting; resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.isStopped = true;
    this.channel?.close('the agent is stopping');
    this.wakeUp?.();
    await this.loop;
    this.stateSync.stop();
    await this.stateWrites;
  }

  private emit(event: LinkEvent): void {
    this.recordState(event);
    try {
      this.options.onEvent?.(event);
    } catch (error) {
      this.log(`cloud link: an event listener failed: ${describeError(error)}`);
    }
  }

  /** Keep agent/cloud-link.json true for `aos-agent status` (one write at a time, in order). */
  private recordState(event: LinkEvent): void {
    const state =
      event.type === 'connected'
        ? 'connected'
        : event.type === 'disconnected'
          ? 'disconnected'
          : event.type === 'stopped'
            ? 'stopped'
            : undefined;
    if (!state) return;
    const record = {
      state,
      cloudUrl: this.cloudUrl,
      systemId: this.options.identity.systemId,
      since: new Date().toISOString(),
      ...('reason' in event ? { reason: event.reason } : {}),
    } as const;
    this.stateWrites = this.stateWrites
      .then(() => writeLinkState(this.options.agent.files.cloudLink, record))
      .catch((error: unknown) => this.log(`cloud link: recording its state: ${describeError(error)}`));
  }

  private async run(): Promise<void> {
    const unsubscribe = this.options.agent.subscribe({
      onStatus: (full) => {
        void this.queueStatus();
        this.stateSync.observe(full);
        this.sendAlerts(this.failureAlerts.next(full));
        this.applier.releaseInstalled(full).catch((error: unknown) => this.log(`cloud link: ${describeError(error)}`));
      },
      onAlert: (alert) => {
        const mapped = mapQuotaAlert(alert, this.nodeCodename);
        if (mapped) this.sendAlerts([mapped]);
      },
    });
    this.monitoring.start();
    try {
      while (!this.isStopped) {
        const startedAt = Date.now();
        try {
          await this.connectOnce();
        } catch (error) {
          if (error instanceof CloudRefusal && error.isPermanent) {
            const reason = `${error.message}; not reconnecting (retrying cannot change this answer: check the unit in the cloud, provision it again if it was revoked)`;
            this.log(`cloud link: ${reason}`);
            this.emit({ type: 'stopped', reason });
            return;
          }
          this.log(`cloud link: ${describeError(error)}`);
        }
        if (this.isStopped) break;
        this.backoff.connectionEnded(Date.now() - startedAt);
        const attempt = this.backoff.attempts;
        const delayMs = this.backoff.next();
        this.log(`cloud link: reconnecting in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1})`);
        this.emit({ type: 'reconnecting', delayMs, attempt });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = undefined;
      }
      this.emit({ type: 'stopped', reason: 'the agent stopped' });
    } finally {
      unsubscribe();
      await this.monitoring.stop();
    }
  }

  /** One connection, from the upgrade to its close. */
  private async connectOnce(): Promise<void> {
    const { identity } = this.options;
    const url = webSocketUrl(this.cloudUrl, CLOUD_HTTP_PATHS.unitChannel);
    const proof = createCertificateToken(identity.credential, { method: 'GET', path: url.pathname });
    const limits = { ...DEFAULT_CHANNEL_LIMITS, ...this.options.limits };
    const socket = await openSocket(url, {
      authorization: formatCertificateAuthorization(proof),
      maxPayload: limits.maxFrameBytes,
      what: `connecting unit ${identity.systemId} to ${this.cloudUrl}`,
    });
    const connectedAt = Date.now();
    const channel = createChannel(socket, {
      side: 'unit',
      systemId: identity.systemId,
      limits,
      onError: (error) => this.log(`cloud link: ${error.message}`),
    });
    this.channel = channel;
    this.sentStatus = undefined;
    this.log(`cloud link: connected to ${this.cloudUrl} as ${identity.systemId}`);
    this.emit({ type: 'connected' });
    const fetcher = this.createFetcher(channel);
    let retry: NodeJS.Timeout | undefined;
    let failures = 0;
    // The full status goes first (once the agent has one: a daemon that just started has not
    // observed its containers yet); a desired status that came meanwhile waits for it.
    const firstStatus = this.waitForAgentStatus().then(() => this.queueStatus());
    void firstStatus.then(() => this.monitoring.flush()); // what was buffered while offline, in order
    const handle = (rawData: unknown) => {
      clearTimeout(retry);
      void firstStatus
        .then(() => this.applier.handle(rawData, fetcher))
        .then((outcome) => {
          if (outcome !== 'failed') failures = outcome === 'applied' ? 0 : failures;
          else if (channel.stats().state === 'open') {
            // Tried again later, the delay doubling per failure up to 5 minutes (a tampered blob
            // stays tampered; a cloud that lost a blob may take a while to have it again).
            const delay = Math.min((this.options.retryFailedMs ?? 10_000) * 2 ** failures, MAX_RETRY_FAILED_MS);
            failures += 1;
            retry = setTimeout(() => handle(rawData), delay);
          }
        });
    };
    channel.on('desiredStatus', (_data, context) => handle(context.rawData));
    this.stateSync.attach(channel);
    serveLogs(channel, this.options.agent, this.log);
    socket.resume(); // every handler is attached (openSocket hands it over paused)
    if (this.isStopped) channel.close('the agent is stopping');
    const closed = await channel.closed;
    clearTimeout(retry);
    this.channel = undefined;
    const lasted = ((Date.now() - connectedAt) / 1000).toFixed(1);
    const reason = `${closed.code}${closed.reason ? ` ${closed.reason}` : ''} (${closed.error.message})`;
    this.log(`cloud link: disconnected after ${lasted} s: ${reason}`);
    this.emit({ type: 'disconnected', reason });
  }

  /** Resolves once the agent has published a status (after its first pass), or after `timeoutMs`. */
  private waitForAgentStatus(timeoutMs = 10_000): Promise<void> {
    if (this.options.agent.status()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, timeoutMs);
      const unsubscribe = this.options.agent.subscribe({ onStatus: finish });
      function finish(): void {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  }

  private createFetcher(channel: UnitChannel): ImageFetcher {
    const { agent, identity } = this.options;
    const exists = (path: string) =>
      stat(path).then(
        (info) => info.isFile(),
        () => false,
      );
    return {
      architecture: ociArchitecture(),
      requestUrls: async (digests) => {
        const answer = await channel.request({ messageType: 'requestBlobUrls', digests });
        return answer.items.map((item) => ({
          ...item,
          urls: item.urls.map((url) => new URL(url, this.cloudUrl).href),
        }));
      },
      download: (blob) =>
        downloadBlob(blob, {
          directory: agent.paths.downloads,
          // The proof goes to the cloud only, never to another host a URL may name.
          authorize: (url) =>
            url.origin === new URL(this.cloudUrl).origin
              ? formatCertificateAuthorization(
                  createCertificateToken(identity.credential, { method: 'GET', path: url.pathname }),
                )
              : undefined,
          onProgress: (progress) => this.reportProgress(progress),
        }),
      findLocal: async (digest) => {
        const downloaded = downloadPaths(agent.paths.downloads, digest).blob;
        if (await exists(downloaded)) return downloaded;
        const stored = join(agent.paths.images, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
        if (!(await exists(stored))) return undefined;
        // A hard link in downloads/: the reconciler may collect the stored blob (its version being
        // removed) before it installs the new version that shares it.
        await mkdir(dirname(downloaded), { recursive: true });
        await link(stored, downloaded).catch(() => undefined);
        return (await exists(downloaded)) ? downloaded : stored;
      },
    };
  }

  /** Send the status's changes after what is queued; resolves once sent (or failed: logged). Never rejects. */
  private queueStatus(): Promise<void> {
    this.statusQueue = this.statusQueue
      .then(() => this.sendStatus())
      .catch((error: unknown) => this.log(`cloud link: building the unit status: ${describeError(error)}`));
    return this.statusQueue;
  }

  private async sendStatus(): Promise<void> {
    const channel = this.channel;
    if (!channel || channel.stats().state !== 'open') return;
    const agent = this.options.agent;
    const full = mapUnitStatus(agent.status(), {
      nodeCodename: agent.options.nodeId ?? 'main',
      runtimeCodename: 'runc',
      overlay: this.applier.items,
      node: describeUnitNode({
        nodeId: agent.options.nodeId ?? 'main',
        architecture: ociArchitecture(),
        ...(agent.options.unit?.maxDmips ? { maxDmips: agent.options.unit.maxDmips } : {}),
      }),
    });
    const message = nextStatusMessage(this.sentStatus, full);
    if (!message) return;
    try {
      await channel.send(message);
      if (this.channel === channel) this.sentStatus = full;
      this.emit({ type: 'status-sent', status: message });
    } catch (error) {
      this.log(`cloud link: sending the unit status: ${describeError(error)}`);
    }
  }

  private reportProgress(progress: DownloadProgress): void {
    const now = Date.now();
    const last = this.progressSentAt.get(progress.digest);
    const isUpdate = progress.state === 'started' && last !== undefined;
    if (isUpdate && now - last < PROGRESS_PERIOD_MS) return;
    this.progressSentAt.set(progress.digest, now);
    if (progress.state === 'finished') this.progressSentAt.delete(progress.digest);
    this.sendAlert({
      tag: 'downloadProgressAlert',
      digest: progress.digest,
      url: progress.url,
      downloadedBytes: progress.downloadedBytes,
      totalBytes: progress.totalBytes,
      state: progress.state,
      ...(progress.reason ? { reason: progress.reason } : {}),
    });
  }

  private get nodeCodename(): string {
    return this.options.agent.options.nodeId ?? 'main';
  }

  private sendAlert(alert: DistributiveOmit<Alert, 'timestamp'>): void {
    this.sendAlerts([{ ...alert, timestamp: new Date().toISOString() } as Alert]);
  }

  private sendAlerts(items: Alert[]): void {
    const channel = this.channel;
    if (items.length === 0 || !channel || channel.stats().state !== 'open') return;
    channel
      .send({ messageType: 'alerts', items })
      .catch((error: unknown) => this.log(`cloud link: sending an alert: ${describeError(error)}`));
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
