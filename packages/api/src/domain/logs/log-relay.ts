/**
 * Logs of a unit held by another cloud process (PostgreSQL: several processes over one database).
 * The viewer's process asks the process holding the unit's socket (`units.connected_process`)
 * over {@link RelayTransport}; that process asks the unit through its own hub and relays what
 * comes back: a range's text in chunks, a follow's events. docs/logs.md, "Several cloud processes".
 *
 * Invariants:
 * - Each relayed request has its own id; what comes for an id nobody waits for is dropped (and a
 *   `stop` sent back, so the owner stops a follow whose viewer is gone).
 * - The owner's side of a request ends when its viewer's process says `stop`, when the request
 *   ends, or when the viewer's process is no longer alive (its lease: checked every
 *   {@link ORPHAN_SWEEP_MS}).
 * - A range is relayed in order; the viewer's side fails it when a chunk is missing or nothing
 *   came for {@link PART_TIMEOUT_MS}.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { CloudDependencies } from '../../dependencies.js';
import { ApiError, type ApiErrorCode } from '../../errors.js';
import { isOnlineSql } from '../unit-status/connection.js';
import { AsyncQueue } from './async-queue.js';
import { fetchLog, PART_TIMEOUT_MS, type FetchLogRequest } from './fetch-log.js';
import { logHubOf, type FollowEvent, type FollowTarget } from './log-hub.js';
import type { RelayTransport } from './relay-transport.js';

/** Text bytes per relayed range chunk. */
const CHUNK_BYTES = 32 * 1024;
export const ORPHAN_SWEEP_MS = 15_000;

type RelayMessage =
  | { type: 'range'; id: string; from: string; request: FetchLogRequest }
  | { type: 'follow'; id: string; from: string; target: FollowTarget; position?: string; tailLines?: number }
  | { type: 'stop'; id: string; from: string }
  | { type: 'chunk'; id: string; from: string; seq: number; data: string }
  | { type: 'end'; id: string; from: string; seq: number }
  | { type: 'error'; id: string; from: string; code: ApiErrorCode; message: string }
  | { type: 'event'; id: string; from: string; event: FollowEvent };

type Reply = Extract<RelayMessage, { type: 'chunk' | 'end' | 'error' | 'event' }>;

interface Served {
  origin: string;
  stop: () => void;
}

const relays = new WeakMap<object, LogRelay>();

/** This process's relay, or undefined (PGlite: one process, nothing to relay). */
export function logRelayOf(deps: Pick<CloudDependencies, 'process'>): LogRelay | undefined {
  return relays.get(deps.process);
}

/** Start this process's relay on a transport (cloud-core does, with PostgreSQL); `close` stops it. */
export function startLogRelay(deps: CloudDependencies, transport: RelayTransport): LogRelay {
  const relay = new LogRelay(deps, transport);
  relays.set(deps.process, relay);
  return relay;
}

export class LogRelay {
  /** Requests this process serves for viewers on other processes, by id. */
  private readonly served = new Map<string, Served>();
  /** Replies this process waits for, by request id. */
  private readonly waiting = new Map<string, (reply: Reply) => void>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly deps: CloudDependencies,
    private readonly transport: RelayTransport,
  ) {
    transport.onMessage((message) => this.receive(message as RelayMessage));
    this.sweep = setInterval(() => void this.stopOrphans().catch(() => undefined), ORPHAN_SWEEP_MS);
    this.sweep.unref();
  }

  private get self(): string {
    return this.deps.process.id;
  }

  /** The live process other than this one holding the unit's socket, or undefined. */
  async ownerOf(unitId: string): Promise<string | undefined> {
    const [row] = await this.deps.db
      .select({ process: schema.units.connectedProcess })
      .from(schema.units)
      .where(and(eq(schema.units.id, unitId), isOnlineSql(this.deps.process.leaseSeconds)));
    return row?.process && row.process !== this.self ? row.process : undefined;
  }

  /** A range of a unit's log through the process that holds it: as {@link fetchLog} (errors before the text). */
  async fetchRemote(owner: string, request: FetchLogRequest): Promise<Readable> {
    const id = randomUUID();
    const replies = new AsyncQueue<Reply>();
    this.waiting.set(id, (reply) => replies.push(reply));
    const release = () => this.waiting.delete(id);
    const timeout = () =>
      new ApiError(
        'unit-offline',
        `reading ${request.what}: the cloud process holding unit ${request.systemId} stopped answering`,
      );
    try {
      await this.transport.send(owner, { type: 'range', id, from: this.self, request } satisfies RelayMessage);
    } catch (error) {
      release();
      throw new ApiError('unit-offline', `reading ${request.what}: ${(error as Error).message}`, { cause: error });
    }
    let first: Reply;
    try {
      first = await replies.next(PART_TIMEOUT_MS, timeout);
    } catch (error) {
      release();
      throw error;
    }
    if (first.type === 'error') {
      release();
      throw new ApiError(first.code, first.message);
    }
    const text = new PassThrough();
    const stop = () => {
      if (!this.waiting.has(id)) return;
      release();
      void this.transport
        .send(owner, { type: 'stop', id, from: this.self } satisfies RelayMessage)
        .catch(() => undefined);
    };
    text.once('close', stop);
    void (async () => {
      let reply: Reply = first;
      for (let seq = 0; ; seq++) {
        if (reply.type === 'error') throw new ApiError(reply.code, reply.message);
        if ((reply.type !== 'chunk' && reply.type !== 'end') || reply.seq !== seq)
          throw new ApiError('unit-offline', `reading ${request.what}: part of it was lost between cloud processes`);
        if (reply.type === 'end') return;
        if (!text.write(Buffer.from(reply.data, 'base64'))) await new Promise((resolve) => text.once('drain', resolve));
        reply = await replies.next(PART_TIMEOUT_MS, timeout);
      }
    })().then(
      () => {
        release();
        text.end();
      },
      (error: unknown) => {
        stop();
        text.destroy(error as Error);
      },
    );
    return text;
  }

  /** Follow an instance's log on the process holding its unit; events go to `deliver` until `stop()`. */
  followRemote(
    owner: string,
    target: FollowTarget,
    options: { from?: string | undefined; tailLines?: number | undefined },
    deliver: (event: FollowEvent) => void,
  ): { stop: () => void } {
    const id = randomUUID();
    this.waiting.set(id, (reply) => {
      if (reply.type === 'event') deliver(reply.event);
      else if (reply.type === 'error') deliver({ type: 'waiting', message: reply.message });
    });
    this.transport
      .send(owner, {
        type: 'follow',
        id,
        from: this.self,
        target,
        ...(options.from !== undefined ? { position: options.from } : {}),
        ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}),
      } satisfies RelayMessage)
      .catch((error: unknown) =>
        deliver({ type: 'waiting', message: `asking the cloud process holding the unit: ${(error as Error).message}` }),
      );
    return {
      stop: () => {
        if (!this.waiting.delete(id)) return;
        void this.transport
          .send(owner, { type: 'stop', id, from: this.self } satisfies RelayMessage)
          .catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    for (const served of this.served.values()) served.stop();
    this.served.clear();
    await this.transport.close();
  }

  private receive(message: RelayMessage): void {
    switch (message.type) {
      case 'range':
        this.serveRange(message);
        return;
      case 'follow':
        this.serveFollow(message);
        return;
      case 'stop':
        this.served.get(message.id)?.stop();
        this.served.delete(message.id);
        return;
      default: {
        const waiter = this.waiting.get(message.id);
        if (waiter) waiter(message);
        // Nobody waits: the viewer left. Tell the owner once per message, so a follow stops.
        else if (message.type === 'event' || message.type === 'chunk')
          void this.transport
            .send(message.from, { type: 'stop', id: message.id, from: this.self } satisfies RelayMessage)
            .catch(() => undefined);
      }
    }
  }

  private reply(to: string, message: Reply): Promise<void> {
    return this.transport.send(to, message);
  }

  private serveRange(message: Extract<RelayMessage, { type: 'range' }>): void {
    const { id, from: origin } = message;
    let text: Readable | undefined;
    let isStopped = false;
    this.served.set(id, {
      origin,
      stop: () => {
        isStopped = true;
        text?.destroy();
      },
    });
    void (async () => {
      try {
        text = await fetchLog(logHubOf(this.deps), message.request);
        if (isStopped) {
          text.destroy();
          return;
        }
        let seq = 0;
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        const flush = async () => {
          if (pendingBytes === 0) return;
          const data = Buffer.concat(pending).toString('base64');
          pending = [];
          pendingBytes = 0;
          await this.reply(origin, { type: 'chunk', id, from: this.self, seq: seq++, data });
        };
        for await (const chunk of text as AsyncIterable<Buffer>) {
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes >= CHUNK_BYTES) await flush();
        }
        await flush();
        await this.reply(origin, { type: 'end', id, from: this.self, seq });
      } catch (error) {
        if (isStopped) return;
        const apiError = error instanceof ApiError ? error : new ApiError('unit-refused', (error as Error).message);
        await this.reply(origin, {
          type: 'error',
          id,
          from: this.self,
          code: apiError.code,
          message: apiError.message,
        }).catch(() => undefined);
      } finally {
        this.served.delete(id);
      }
    })();
  }

  private serveFollow(message: Extract<RelayMessage, { type: 'follow' }>): void {
    const { id, from: origin } = message;
    const hub = logHubOf(this.deps);
    if (!hub.channelOf(message.target.unitId)) {
      void this.reply(origin, {
        type: 'event',
        id,
        from: this.self,
        event: { type: 'waiting', message: `unit ${message.target.systemId} is not connected to this cloud process` },
      }).catch(() => undefined);
      return;
    }
    // Events are sent one after another, in order (one promise chain per follow).
    let chain = Promise.resolve();
    const follow = hub.follow(message.target, { from: message.position, tailLines: message.tailLines }, (event) => {
      chain = chain
        .then(() => this.reply(origin, { type: 'event', id, from: this.self, event }))
        .catch(() => undefined);
      if (event.type === 'ended') this.served.delete(id);
    });
    this.served.set(id, { origin, stop: () => follow.stop() });
  }

  /** Stop what this process serves for viewers whose process is gone (their lease ran out). */
  private async stopOrphans(): Promise<void> {
    const origins = [...new Set([...this.served.values()].map((served) => served.origin))];
    if (origins.length === 0) return;
    const alive = await this.deps.db
      .select({ id: schema.cloudProcesses.id })
      .from(schema.cloudProcesses)
      .where(
        and(
          inArray(schema.cloudProcesses.id, origins),
          gte(schema.cloudProcesses.heartbeatAt, sql`now() - make_interval(secs => ${this.deps.process.leaseSeconds})`),
        ),
      );
    const aliveIds = new Set(alive.map((row) => row.id));
    for (const [id, served] of [...this.served]) {
      if (aliveIds.has(served.origin)) continue;
      served.stop();
      this.served.delete(id);
    }
  }
}
