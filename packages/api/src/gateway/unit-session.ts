import {
  createChannel,
  createPlainBlobInfo,
  type BlobInfo,
  type ChannelLimits,
  type CloudChannel,
  type MonitoringData,
  type Outgoing,
  type UnitStatus,
} from '@openaos/protocol/v7';
import { unitBlobPath } from '@openaos/protocol';
import { eq } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { WebSocket } from 'ws';
import type { CloudDependencies } from '../dependencies.js';
import type { IssuedDesiredStatus } from '../domain/desired-status/issue-desired-status.js';
import { logHubOf } from '../domain/logs/log-hub.js';
import { countUnitFrames, observeDesiredPush } from '../metrics/cloud-metrics.js';
import { attachAlertsAndState } from './alerts-and-state.js';
import type { AuthenticatedUnit } from './authenticate-unit.js';
import type { BlobAccess } from './blob-access.js';

/** The most digests one requestBlobUrls may ask for (an item has a handful; a status, a few hundred). */
const MAX_DIGESTS_PER_REQUEST = 4096;

export interface UnitSessionOptions {
  deps: CloudDependencies;
  access: BlobAccess;
  /** Where units download blobs: `<baseUrl>/api/v7/blobs/sha256/<hex>`. */
  baseUrl: string;
  limits?: Partial<ChannelLimits> | undefined;
  /** If the unit's first full unitStatus has not come by then, its desired status is pushed anyway. */
  initialPushDelayMs: number;
  log: (message: string) => void;
  /**
   * Issue the unit's current desired status (the gateway's batch: issueDesiredStatuses for every
   * unit whose push is due within a few ms). Resolves with the status or the unit's error.
   */
  issue: (unit: AuthenticatedUnit) => Promise<IssuedDesiredStatus | Error>;
  /**
   * Record a report durably (the gateway's write-behind batch: recordUnitStatuses, then one
   * `status-changed` announcement per batch). Resolves once committed, before the report's ack.
   */
  record: (unitId: string, status: UnitStatus) => Promise<void>;
  /** Store monitoringData (the gateway's write-behind batch: recordMonitoringBatch); resolves once committed, before the ack. */
  recordMonitoring: (unitId: string, data: MonitoringData) => Promise<void>;
  /** Settles once the unit is marked online: its reports are recorded (and acked) after that. */
  connected?: Promise<void> | undefined;
}

/**
 * One unit's connection, held by this cloud process: the v7 channel (parse, acks, limits,
 * heartbeat), the unit's reports recorded, its blob URL requests answered, and its desired status
 * pushed after its first full status and whenever an announcement says it may have changed
 * (recomputed; sent only when its generation differs from the one this socket got).
 */
export class UnitSession {
  readonly channel: CloudChannel;
  /** Set when a newer connection of the same unit replaced this one (it must not mark the unit offline). */
  isReplaced = false;
  private sentGeneration: number | undefined;
  private isReady = false;
  private isPushing = false;
  private isDirty = false;
  private statusChain: Promise<void> = Promise.resolve();
  private readonly initialTimer: NodeJS.Timeout;
  private readonly reportedProblems = new Set<string>();

  constructor(
    readonly unit: AuthenticatedUnit,
    socket: WebSocket,
    private readonly options: UnitSessionOptions,
  ) {
    this.channel = createChannel(countUnitFrames(socket), {
      side: 'cloud',
      systemId: unit.systemId,
      ...(options.limits && { limits: options.limits }),
      onError: (error) => {
        // The first problem of each kind per connection: a misbehaving unit cannot flood the log.
        const kind = `${error.code}:${error.messageType ?? ''}`;
        if (this.reportedProblems.has(kind)) return;
        this.reportedProblems.add(kind);
        options.log(`unit ${unit.systemId}: ${error.message}`);
      },
    });
    if (options.connected) this.statusChain = options.connected.catch(() => undefined);
    this.channel.on('unitStatus', (status) => this.receiveStatus(status));
    this.channel.on('requestBlobUrls', async (request, context) => {
      await context.reply({ messageType: 'blobUrls', items: await this.blobInfos(request.digests) });
    });
    attachAlertsAndState(this.channel, unit, options.deps, options.log);
    this.channel.on('monitoringData', (data) => options.recordMonitoring(unit.id, data));
    logHubOf(options.deps).attach(unit.id, this.channel);
    this.initialTimer = setTimeout(() => this.becomeReady(), options.initialPushDelayMs);
    void this.channel.closed.then(() => clearTimeout(this.initialTimer));
  }

  /** Recompute the desired status and send it if it is not what this socket last got. */
  schedulePush(): void {
    this.isDirty = true;
    if (this.isReady && !this.isPushing) void this.runPushes();
  }

  /** Close the socket if the unit lost the right to it (revoked, deleted, re-provisioned). */
  async recheckAccess(): Promise<void> {
    const [row] = await this.options.deps.db
      .select({ fingerprint: schema.units.certificateFingerprint, revokedAt: schema.units.revokedAt })
      .from(schema.units)
      .where(eq(schema.units.id, this.unit.id));
    if (!row) this.channel.close('unit deleted');
    else if (row.revokedAt) this.channel.close('unit revoked');
    else if (row.fingerprint !== this.unit.fingerprint) this.channel.close('unit provisioned again');
  }

  private receiveStatus(status: UnitStatus): Promise<void> {
    const isFull = status.isDeltaInfo !== true;
    const next = this.statusChain.then(() => this.options.record(this.unit.id, status));
    this.statusChain = next.catch(() => undefined);
    return next.finally(() => {
      if (isFull) this.becomeReady();
    });
  }

  private becomeReady(): void {
    clearTimeout(this.initialTimer);
    if (this.isReady) return;
    this.isReady = true;
    this.schedulePush();
  }

  private async runPushes(): Promise<void> {
    this.isPushing = true;
    try {
      while (this.isDirty && this.channel.stats().state === 'open') {
        this.isDirty = false;
        await this.pushOnce();
      }
    } finally {
      this.isPushing = false;
    }
  }

  private async pushOnce(): Promise<void> {
    try {
      const issued = await this.options.issue(this.unit);
      if (issued instanceof Error) throw issued;
      if (issued.generation === this.sentGeneration) return;
      this.sentGeneration = issued.generation;
      const data = issued.document as unknown as Outgoing<'desiredStatus'>;
      observeDesiredPush(this.channel.send(data)).catch((error: unknown) => {
        this.options.log(
          `unit ${this.unit.systemId}: desired status ${issued.generation} not delivered: ${describe(error)}`,
        );
      });
    } catch (error) {
      this.options.log(`unit ${this.unit.systemId}: computing its desired status failed: ${describe(error)}`);
    }
  }

  private async blobInfos(digests: string[]): Promise<BlobInfo[]> {
    const allowed = await this.options.access.allowedDigests(this.unit.id);
    const infos: BlobInfo[] = [];
    for (const digest of [...new Set(digests)].slice(0, MAX_DIGESTS_PER_REQUEST)) {
      if (!allowed.has(digest)) continue;
      const facts = await this.options.access.factsOf(digest);
      if (!facts) continue;
      infos.push(
        createPlainBlobInfo({
          digest,
          size: facts.size,
          urls: [`${this.options.baseUrl}${unitBlobPath(digest)}`],
          sha3_256: facts.sha3_256,
        }),
      );
    }
    return infos;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
