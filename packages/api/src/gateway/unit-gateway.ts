import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { CLOUD_HTTP_PATHS } from '@openaos/protocol';
import { DEFAULT_CHANNEL_LIMITS, type ChannelLimits } from '@openaos/protocol/v7';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CloudDependencies } from '../dependencies.js';
import { classifyProcesses } from '../domain/cloud-processes.js';
import { issueDesiredStatuses, type IssuedDesiredStatus } from '../domain/desired-status/issue-desired-status.js';
import { consumeProvisioningToken, type ProvisioningUnit } from '../domain/provisioning/consume-token.js';
import { UnitAccessError } from '../domain/provisioning/unit-access-error.js';
import {
  markOrphanedUnitsOffline,
  markUnitsOffline,
  markUnitsOnline,
  touchConnectedUnits,
} from '../domain/unit-status/record-connection.js';
import {
  recordMonitoringBatch,
  type ReceivedMonitoring,
  type RecordMonitoringResult,
} from '../domain/monitoring/record-monitoring.js';
import { eachAloneOnFailure } from '../domain/util.js';
import { recordUnitStatuses, type ReceivedUnitStatus } from '../domain/unit-status/record-unit-status.js';
import type { UnitEvent } from '../unit-events/unit-events.js';
import { AttemptThrottle } from './attempt-throttle.js';
import {
  authenticateUnits,
  verifyUnitProof,
  type AuthenticatedUnit,
  type VerifiedUnitProof,
} from './authenticate-unit.js';
import { Batcher } from './batcher.js';
import { BlobAccess } from './blob-access.js';
import { handleUnitBlobRequest, isUnitBlobRequest } from './blob-route.js';
import { runProvisioning } from './provisioning-session.js';
import { toRefusal, writeUpgradeRefusal } from './refusal.js';
import { UnitSession } from './unit-session.js';

export interface UnitGatewayOptions {
  /** The cloud's public base URL for blob URLs (OPENAOS_PUBLIC_URL); default: from the unit's Host header. */
  publicUrl?: string | undefined;
  /** Channel limits (frame size, rates, heartbeat…); defaults from @openaos/protocol/v7. */
  limits?: Partial<ChannelLimits> | undefined;
  /** How long to wait for a unit's first full status before pushing its desired status anyway. Default 5 s. */
  initialPushDelayMs?: number | undefined;
  /** How often `last_seen_at` of held units is renewed and orphaned units are marked offline. Default: the ping interval. */
  heartbeatMs?: number | undefined;
  /**
   * Refused upgrades one client address may collect before it gets 429 (default 30), and how many
   * come back per second (default 0.5). Only refusals count.
   */
  refusedAttempts?: { burst: number; perSecond: number } | undefined;
  /** Where problems are reported. Default: console.error. */
  log?: ((message: string) => void) | undefined;
  /**
   * How units' database work is batched (docs/unit-channel.md "Batching"): the most units one batch
   * takes (default 500) and how long the first waits for others (default 5 ms).
   */
  batch?: { maxUnits: number; delayMs: number } | undefined;
}

export interface UnitGateway {
  /** Take a WebSocket upgrade under `/ws/`; returns false (untouched) for any other path. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Serve `GET /api/v7/blobs/sha256/<hex>`; returns false (untouched) for any other path. */
  handleBlobRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /** The units whose sockets this process holds. */
  connectedUnitIds(): string[];
  /** Close every unit socket (marking the units offline) and stop listening to announcements. */
  close(): Promise<void>;
}

/**
 * The unit gateway (docs/unit-channel.md): provisioning and channel WebSockets and the blob
 * route, on the cloud's one HTTP server. A plain module: apps/cloud/server.ts mounts it, tests
 * mount it on a bare `http.Server`. One socket per unit in this process (a new one replaces the
 * old); announcements from any process (UnitEvents) reach the sockets held here.
 */
export function createUnitGateway(deps: CloudDependencies, options: UnitGatewayOptions = {}): UnitGateway {
  const limits = { ...DEFAULT_CHANNEL_LIMITS, ...options.limits };
  const log = options.log ?? ((message: string) => console.error(`unit gateway: ${message}`));
  const server = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes });
  const access = new BlobAccess(deps);
  const sessions = new Map<string, UnitSession>();
  const throttle = new AttemptThrottle(options.refusedAttempts?.burst ?? 30, options.refusedAttempts?.perSecond ?? 0.5);
  const pending = new Set<Promise<unknown>>();
  /** Connection-state writes per unit, in order: a quick reconnect's "online" never loses to the old socket's "offline". */
  const connectionWrites = new Map<string, Promise<void>>();
  let isClosing = false;
  const batch = { maxBatch: options.batch?.maxUnits ?? 500, delayMs: options.batch?.delayMs ?? 5 };

  // Set-based database work: every unit whose push, report or connection change falls in the same
  // few ms shares one batch (a fleet-wide change costs a few statements per 500 units, not ~20 per unit).
  const pushes = new Batcher<AuthenticatedUnit, IssuedDesiredStatus | Error>(
    async (units) => {
      const issued = await issueDesiredStatuses(deps, units);
      return units.map((unit) => issued.get(unit.id) ?? new Error(`unit ${unit.systemId}: no desired status issued`));
    },
    // Two at once: one batch signs while the other waits on the database.
    { ...batch, concurrency: 2 },
  );
  // A reconnect storm's upgrades: the proofs' owners looked up and their nonces consumed in a few
  // statements per batch (the signature and chain checks run before, per upgrade).
  const authentications = new Batcher<VerifiedUnitProof, AuthenticatedUnit | UnitAccessError>(
    (proofs) => authenticateUnits(deps, proofs),
    batch,
  );
  const reports = new Batcher<ReceivedUnitStatus, number | Error>(async (received) => {
    const results = await recordUnitStatuses(deps, received);
    const changed = received.filter((_, index) => {
      const result = results[index];
      return typeof result === 'number' && result > 0;
    });
    if (changed.length > 0)
      await deps.unitEvents.announce({ kind: 'status-changed', unitIds: changed.map((report) => report.unitId) });
    return results;
  }, batch);
  // Every unit sends monitoringData each period: 10,000 units at a minute are ~170 messages a
  // second, more than one transaction each keeps up with; a batch is a few statements.
  const monitoring = new Batcher<ReceivedMonitoring, RecordMonitoringResult | Error>(
    (received) => eachAloneOnFailure(received, (batch) => recordMonitoringBatch(deps.db, batch, deps.now())),
    batch,
  );
  const onlines = new Batcher<string, void>(async (unitIds) => {
    await markUnitsOnline(deps, unitIds);
    await deps.unitEvents.announce({ kind: 'status-changed', unitIds });
    return unitIds.map(() => undefined);
  }, batch);
  const offlines = new Batcher<string, boolean>(async (unitIds) => {
    const marked = await markUnitsOffline(deps, unitIds);
    const offline = unitIds.filter((unitId) => marked.has(unitId));
    if (offline.length > 0) await deps.unitEvents.announce({ kind: 'status-changed', unitIds: offline });
    return unitIds.map((unitId) => marked.has(unitId));
  }, batch);

  const serialize = (unitId: string, work: () => Promise<void>): Promise<void> => {
    const previous = connectionWrites.get(unitId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    connectionWrites.set(unitId, settled);
    void settled.then(() => {
      if (connectionWrites.get(unitId) === settled) connectionWrites.delete(unitId);
    });
    return next;
  };

  const track = (work: Promise<unknown>) => {
    const guarded = work.catch((error: unknown) => log(describe(error)));
    pending.add(guarded);
    void guarded.finally(() => pending.delete(guarded));
  };

  const unsubscribe = deps.unitEvents.subscribe((event: UnitEvent) => {
    for (const unitId of event.unitIds) {
      const session = sessions.get(unitId);
      if (!session) continue;
      if (event.kind === 'desired-changed') session.schedulePush();
      if (event.kind === 'revoked') track(session.recheckAccess());
    }
  });

  const heartbeatMs = options.heartbeatMs ?? (limits.pingIntervalMs > 0 ? limits.pingIntervalMs : 20_000);
  const heartbeat = setInterval(() => track(renewConnections()), heartbeatMs);
  heartbeat.unref();

  async function renewConnections(): Promise<void> {
    await touchConnectedUnits(deps, [...sessions.keys()]);
    const { live } = await classifyProcesses(deps.db, {
      selfId: deps.process.id,
      leaseSeconds: deps.process.leaseSeconds,
      isSoleProcess: false,
    });
    const orphaned = await markOrphanedUnitsOffline(deps, [...live]);
    if (orphaned.length > 0) await deps.unitEvents.announce({ kind: 'status-changed', unitIds: orphaned });
  }

  function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, accept: (ws: WebSocket) => void): void {
    if (isClosing || socket.destroyed) return void socket.destroy();
    server.handleUpgrade(request, socket, head, accept);
  }

  async function acceptProvisioning(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const systemId = url.searchParams.get('systemId') ?? '';
    const token = readBearer(request.headers.authorization);
    if (!systemId)
      throw new UnitAccessError('bad-request', "provisioning: add ?systemId=<the unit's system ID> to the URL");
    if (!token)
      throw new UnitAccessError('unknown-token', 'provisioning: send "Authorization: Bearer <provisioning token>"');
    const unit: ProvisioningUnit = await consumeProvisioningToken(deps, token, systemId);
    upgrade(request, socket, head, (ws) => track(runProvisioning(deps, unit, ws, { limits: options.limits, log })));
  }

  async function acceptChannel(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const proof = verifyUnitProof(deps, request.headers.authorization, {
      method: request.method ?? 'GET',
      path: CLOUD_HTTP_PATHS.unitChannel,
    });
    const unit = await authentications.add(proof);
    if (unit instanceof UnitAccessError) throw unit;
    const baseUrl = options.publicUrl?.replace(/\/+$/, '') ?? requestBaseUrl(request);
    upgrade(request, socket, head, (ws) => track(openSession(unit, ws, baseUrl)));
  }

  async function openSession(unit: AuthenticatedUnit, ws: WebSocket, baseUrl: string): Promise<void> {
    const previous = sessions.get(unit.id);
    if (previous) {
      previous.isReplaced = true;
      previous.channel.close('replaced by a new connection');
    }
    let markedOnline = () => undefined as void;
    const connected = new Promise<void>((resolve) => (markedOnline = resolve));
    const session = new UnitSession(unit, ws, {
      connected,
      deps,
      access,
      baseUrl,
      limits: options.limits,
      initialPushDelayMs: options.initialPushDelayMs ?? 5000,
      log,
      issue: (unit) => pushes.add(unit),
      recordMonitoring: async (unitId, data) => {
        const result = await monitoring.add({ unitId, data });
        if (result instanceof Error) throw result;
      },
      record: async (unitId, status) => {
        const result = await reports.add({ unitId, status });
        if (result instanceof Error) throw result;
      },
    });
    sessions.set(unit.id, session);
    void session.channel.closed.then(() => track(closeSession(session)));
    try {
      await serialize(unit.id, () => onlines.add(unit.id));
    } finally {
      markedOnline();
    }
  }

  async function closeSession(session: UnitSession): Promise<void> {
    const unitId = session.unit.id;
    if (sessions.get(unitId) === session) sessions.delete(unitId);
    await serialize(unitId, async () => {
      // A newer socket of this unit (here) keeps it online.
      if (session.isReplaced || sessions.has(unitId)) return;
      await offlines.add(unitId);
    });
  }

  return {
    handleUpgrade(request, socket, head) {
      const url = new URL(request.url ?? '/', 'http://unit.invalid');
      if (!url.pathname.startsWith('/ws/')) return false;
      socket.on('error', () => undefined);
      const address = request.socket.remoteAddress ?? 'unknown';
      const retryAfter = throttle.retryAfterSeconds(address);
      const work =
        retryAfter > 0
          ? Promise.reject(
              new UnitAccessError(
                'too-many-attempts',
                `${url.pathname}: too many refused attempts from this address; retry in ${retryAfter} s`,
              ),
            )
          : url.pathname === CLOUD_HTTP_PATHS.unitProvisioning
            ? acceptProvisioning(request, socket, head, url)
            : url.pathname === CLOUD_HTTP_PATHS.unitChannel
              ? acceptChannel(request, socket, head)
              : Promise.reject(
                  new UnitAccessError(
                    'not-found',
                    `${url.pathname}: no such WebSocket; units use ${CLOUD_HTTP_PATHS.unitChannel} and ${CLOUD_HTTP_PATHS.unitProvisioning}`,
                  ),
                );
      track(
        work.catch((error: unknown) => {
          if (!(error instanceof UnitAccessError)) log(`upgrade ${url.pathname}: ${describe(error)}`);
          else if (error.code !== 'too-many-attempts') throttle.recordRefusal(address);
          const refusal = toRefusal(error);
          const wait: Record<string, string> =
            refusal.status === 429 ? { 'Retry-After': String(throttle.retryAfterSeconds(address)) } : {};
          writeUpgradeRefusal(socket, refusal.status, refusal.body, wait);
        }),
      );
      return true;
    },
    handleBlobRequest(request, response) {
      if (!isUnitBlobRequest(request)) return false;
      track(handleUnitBlobRequest(deps, access, request, response, log));
      return true;
    },
    connectedUnitIds: () => [...sessions.keys()],
    async close() {
      isClosing = true;
      clearInterval(heartbeat);
      unsubscribe();
      const closing = [...sessions.values()].map((session) => {
        session.channel.close('cloud shutting down');
        return session.channel.closed;
      });
      await Promise.all(closing);
      while (pending.size > 0) await Promise.all([...pending]);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function requestBaseUrl(request: IncomingMessage): string {
  const isTls = Boolean((request.socket as TLSSocket).encrypted);
  return `${isTls ? 'https' : 'http'}://${request.headers.host ?? 'localhost'}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
