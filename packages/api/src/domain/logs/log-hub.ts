/**
 * The logs side of the unit sockets this cloud process holds: `requestLog` parts and follow
 * batches routed from a unit's channel to the viewer that asked, and live follows carried over
 * a unit's reconnection. One hub per cloud process (per CloudDependencies).
 *
 * Invariants:
 * - Each request and each (re)start of a follow has its own correlationId: what a unit sends for
 *   an old one is dropped, so a resumed follow never mixes with the one it replaces.
 * - A follow remembers the last position its viewer was given; when its unit's channel closes
 *   the follow waits, and when the unit connects again (to this process) it restarts from that
 *   position. Nothing a viewer got is sent twice and nothing after it is skipped.
 */
import { randomUUID } from 'node:crypto';
import type { CloudChannel, LogLines, PushLog } from '@openaos/protocol/v7';
import type { CloudDependencies } from '../../dependencies.js';

export interface FollowTarget {
  unitId: string;
  systemId: string;
  serviceId: string;
  subjectId: string;
  instance: number;
}

export type FollowEvent =
  | { type: 'lines'; lines: string[]; next: string; readAt: string; skippedFrom?: string }
  | { type: 'waiting'; message: string }
  | { type: 'resumed' }
  | { type: 'ended'; message: string };

export interface FollowHandle {
  readonly target: FollowTarget;
  /** The last position delivered (undefined until the unit gave the first). */
  readonly position: string | undefined;
}

interface Follow extends FollowHandle {
  position: string | undefined;
  correlationId: string;
  channel: CloudChannel | undefined;
  tailLines: number | undefined;
  /** A `waiting` event was delivered and no `resumed` yet. */
  isWaiting: boolean;
  deliver: (event: FollowEvent) => void;
}

interface PendingRequest {
  unitId: string;
  receive: (part: PushLog) => void;
  fail: (error: Error) => void;
}

const hubs = new WeakMap<object, LogHub>();

/** This process's hub (one per CloudDependencies). */
export function logHubOf(deps: Pick<CloudDependencies, 'process'>): LogHub {
  let hub = hubs.get(deps.process);
  if (!hub) {
    hub = new LogHub();
    hubs.set(deps.process, hub);
  }
  return hub;
}

export class LogHub {
  private readonly channels = new Map<string, CloudChannel>();
  private readonly requests = new Map<string, PendingRequest>();
  /** Follows by their current correlationId. */
  private readonly follows = new Map<string, Follow>();

  /** A unit's new channel (the gateway's session calls this): its log messages come here, waiting follows resume. */
  attach(unitId: string, channel: CloudChannel): void {
    this.channels.set(unitId, channel);
    channel.on('pushLog', (part) => this.requests.get(part.correlationId ?? '')?.receive(part));
    channel.on('openaos.logLines', (batch) => this.receiveBatch(batch));
    for (const follow of [...this.follows.values()])
      if (follow.target.unitId === unitId && follow.channel !== channel) this.startOnUnit(follow, channel);
    void channel.closed.then(() => this.detach(unitId, channel));
  }

  /** The channel of a unit connected to this process. */
  channelOf(unitId: string): CloudChannel | undefined {
    const channel = this.channels.get(unitId);
    return channel && channel.stats().state === 'open' ? channel : undefined;
  }

  /** Route a request's `pushLog` parts to `receive` until `release`. */
  registerRequest(correlationId: string, request: PendingRequest): () => void {
    this.requests.set(correlationId, request);
    return () => this.requests.delete(correlationId);
  }

  /**
   * Follow an instance's log on its unit (which must be connected here) from `from`, or from
   * now (after `tailLines` lines). Events go to `deliver` until `stop()`.
   */
  follow(
    target: FollowTarget,
    options: { from?: string | undefined; tailLines?: number | undefined },
    deliver: (event: FollowEvent) => void,
  ): { handle: FollowHandle; stop: () => void } {
    const channel = this.channelOf(target.unitId);
    const follow: Follow = {
      target,
      position: options.from,
      correlationId: '',
      channel: undefined,
      tailLines: options.tailLines,
      isWaiting: false,
      deliver,
    };
    if (channel) this.startOnUnit(follow, channel);
    else this.wait(follow, `unit ${target.systemId} is not connected; waiting for it`);
    return {
      handle: follow,
      stop: () => {
        this.follows.delete(follow.correlationId);
        const current = follow.channel;
        follow.channel = undefined;
        if (current && current.stats().state === 'open')
          current
            .send({ messageType: 'openaos.stopFollowLog', correlationId: follow.correlationId })
            .catch(() => undefined);
      },
    };
  }

  private wait(follow: Follow, message: string): void {
    follow.isWaiting = true;
    follow.deliver({ type: 'waiting', message });
  }

  private startOnUnit(follow: Follow, channel: CloudChannel): void {
    this.follows.delete(follow.correlationId);
    follow.correlationId = randomUUID();
    follow.channel = channel;
    this.follows.set(follow.correlationId, follow);
    const { serviceId, subjectId, instance } = follow.target;
    channel
      .send({
        messageType: 'openaos.followLog',
        correlationId: follow.correlationId,
        item: { id: serviceId },
        subject: { id: subjectId },
        instance,
        ...(follow.position !== undefined
          ? { from: follow.position }
          : follow.tailLines
            ? { tailLines: follow.tailLines }
            : {}),
      })
      .then(() => {
        if (!follow.isWaiting) return;
        follow.isWaiting = false;
        follow.deliver({ type: 'resumed' });
      })
      .catch((error: unknown) => {
        // A closed channel: the follow waits for the next one. A refusal: this unit cannot follow.
        if ((error as { code?: string }).code !== 'refused' || follow.channel !== channel) return;
        this.follows.delete(follow.correlationId);
        follow.channel = undefined;
        follow.deliver({
          type: 'ended',
          message: `the unit cannot follow logs (it refused openaos.followLog: ${(error as Error).message})`,
        });
      });
  }

  private receiveBatch(batch: LogLines): void {
    const follow = this.follows.get(batch.correlationId ?? '');
    if (!follow) return;
    if (batch.status === 'ended') {
      this.follows.delete(follow.correlationId);
      follow.deliver({ type: 'ended', message: batch.errorInfo?.message ?? 'the unit ended the follow' });
      return;
    }
    follow.position = batch.next;
    // The first batch has no lines (the starting position) unless it reports a gap.
    if (batch.lines.length === 0 && batch.skippedFrom === undefined) return;
    follow.deliver({
      type: 'lines',
      lines: batch.lines,
      next: batch.next,
      readAt: batch.readAt,
      ...(batch.skippedFrom !== undefined && { skippedFrom: batch.skippedFrom }),
    });
  }

  private detach(unitId: string, channel: CloudChannel): void {
    if (this.channels.get(unitId) === channel) this.channels.delete(unitId);
    for (const [id, request] of [...this.requests]) {
      if (request.unitId !== unitId) continue;
      request.fail(new Error('the unit disconnected while sending the log; ask again when it is back'));
      this.requests.delete(id);
    }
    for (const follow of this.follows.values()) {
      if (follow.channel !== channel) continue;
      follow.channel = undefined;
      this.wait(follow, 'the unit disconnected; the follow resumes where it was when it is back');
    }
  }
}
