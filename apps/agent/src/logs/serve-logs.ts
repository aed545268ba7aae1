/**
 * The unit's side of logs on the cloud channel: v7 `requestLog` answered with `pushLog` parts,
 * and OpenAos's live follow (`openaos.followLog` → `openaos.logLines`, `openaos.stopFollowLog`;
 * docs/protocol.md). Invariants:
 * - Parts and batches go one at a time, each after the previous one's ack: one request or follow
 *   holds at most one part or batch in memory, and the channel's send queue never fills.
 * - Everything a follow holds ends with the connection; the cloud resumes a follow on the next
 *   connection from the last position it got.
 * - Nothing thrown here escapes into the channel: each request's failure is answered or logged.
 */
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FollowLog, RequestLog, UnitChannel } from '@openaos/protocol/v7';
import { describeError } from '../errors.js';
import { instancePaths, type StoragePaths } from '../paths.js';
import { createInstanceId } from '../persist/instance-id.js';
import { agentLogPath } from './agent-log-file.js';
import { collectLog } from './collect-log.js';
import { LogFollower } from './log-follower.js';

export interface LogServiceLimits {
  /** The most uncompressed bytes one `requestLog` may collect (default 16 MiB): a larger range is refused. */
  maxRequestBytes: number;
  /** gzip bytes per `pushLog` part (default 256 KiB; base64 makes a frame of about 342 KiB). */
  partBytes: number;
  /** Follows one connection may hold at once (default 16). */
  maxFollows: number;
  /** How often a follow looks for new lines (default 200 ms). */
  followPollMs: number;
}

export const DEFAULT_LOG_SERVICE_LIMITS: LogServiceLimits = {
  maxRequestBytes: 16 * 1024 * 1024,
  partBytes: 256 * 1024,
  maxFollows: 16,
  followPollMs: 200,
};

type Target = { log: string; hasLineTimes: boolean; what: string } | { problem: string };

/** What serving logs needs of the agent: where its storage is and its node's name. */
export interface LogSource {
  paths: StoragePaths;
  options: { nodeId?: string | undefined };
}

/** Answer log requests and follows on this connection until it closes. */
export function serveLogs(
  channel: UnitChannel,
  agent: LogSource,
  log: (message: string) => void,
  limits: Partial<LogServiceLimits> = {},
): void {
  const settings = { ...DEFAULT_LOG_SERVICE_LIMITS, ...limits };
  const node = { codename: agent.options.nodeId ?? 'main' };
  const follows = new Map<string, LogFollower>();
  const partsDirectory = join(agent.paths.agent, 'log-parts');

  const sendLog = async (request: RequestLog): Promise<void> => {
    const correlationId = request.correlationId ?? null;
    const answer = (fields: { status: 'failed' | 'empty' | 'absent'; message?: string }) =>
      channel.send({
        messageType: 'pushLog',
        correlationId,
        node,
        status: fields.status,
        ...(fields.message !== undefined && { errorInfo: { message: fields.message } }),
      });
    const target = resolveTarget(agent, request);
    if ('problem' in target) return answer({ status: 'absent', message: target.problem });
    const collected = await collectLog({
      log: target.log,
      hasLineTimes: target.hasLineTimes,
      from: request.filter.from ? new Date(request.filter.from) : undefined,
      till: request.filter.till ? new Date(request.filter.till) : undefined,
      maxBytes: settings.maxRequestBytes,
      directory: partsDirectory,
    });
    if (collected.status === 'absent')
      return answer({ status: 'absent', message: `no log of ${target.what} on this unit` });
    if (collected.status === 'empty') return answer({ status: 'empty' });
    if (collected.status === 'too-large') {
      return answer({
        status: 'failed',
        message: `the range of ${target.what} holds ${collected.bytes} bytes, over this unit's limit of ${collected.maxBytes} per request; ask for a shorter time range`,
      });
    }
    try {
      const partsCount = Math.max(1, Math.ceil(collected.size / settings.partBytes));
      const handle = await open(collected.path, 'r');
      try {
        const buffer = Buffer.alloc(settings.partBytes);
        for (let part = 1; part <= partsCount; part++) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, (part - 1) * settings.partBytes);
          await channel.send({
            messageType: 'pushLog',
            correlationId,
            node,
            part,
            partsCount,
            content: buffer.subarray(0, bytesRead).toString('base64'),
            status: 'ok',
          });
        }
      } finally {
        await handle.close();
      }
    } finally {
      await rm(collected.path, { force: true });
    }
  };

  const startFollow = async (request: FollowLog): Promise<void> => {
    const id = request.correlationId ?? '';
    follows.get(id)?.stop();
    const end = (message: string, at?: string) =>
      channel.send({
        messageType: 'openaos.logLines',
        correlationId: id,
        from: at ?? request.from ?? 'start',
        next: at ?? request.from ?? 'start',
        lines: [],
        readAt: new Date().toISOString(),
        status: 'ended',
        errorInfo: { message },
      });
    if (follows.size >= settings.maxFollows)
      return end(
        `this unit already streams ${follows.size} logs on this connection (the most it does); stop one first`,
      );
    const target = resolveTarget(agent, { logType: 'instanceLog', filter: request });
    if ('problem' in target) return end(target.problem);
    if (!(await stat(join(target.log, '..', '..')).catch(() => undefined)))
      return end(`no instance ${target.what} on this unit`);
    let last = request.from;
    const follower = new LogFollower({
      log: target.log,
      from: request.from,
      tailLines: request.tailLines,
      pollMs: settings.followPollMs,
      onBatch: async (batch) => {
        await channel.send({
          messageType: 'openaos.logLines',
          correlationId: id,
          from: batch.from,
          next: batch.next,
          lines: batch.lines,
          readAt: batch.readAt.toISOString(),
          ...(batch.skippedFrom !== undefined && { skippedFrom: batch.skippedFrom }),
        });
        last = batch.next;
      },
    });
    follows.set(id, follower);
    const error = await follower.done;
    if (follows.get(id) === follower) follows.delete(id);
    if (error && channel.stats().state === 'open') await end(`following ${target.what}: ${describeError(error)}`, last);
  };

  const guard = (what: string, work: Promise<void>) =>
    void work.catch((error: unknown) => log(`cloud link: ${what}: ${describeError(error)}`));

  channel.on('requestLog', (request) => guard('answering a log request', sendLog(request)));
  channel.on('openaos.followLog', (request) => guard('following a log', startFollow(request)));
  channel.on('openaos.stopFollowLog', (request) => {
    const id = request.correlationId ?? '';
    follows.get(id)?.stop();
    follows.delete(id);
  });
  void channel.closed.then(() => {
    for (const follower of follows.values()) follower.stop();
    follows.clear();
  });
}

/** The log file a request names: an instance's, or the agent's own (`systemLog`). */
function resolveTarget(
  agent: LogSource,
  request: Pick<RequestLog, 'logType'> & { filter: Pick<RequestLog['filter'], 'item' | 'subject' | 'instance'> },
): Target {
  if (request.logType === 'systemLog') return { log: agentLogPath(agent.paths), hasLineTimes: true, what: 'the agent' };
  if (request.logType === 'crashLog')
    return { problem: 'this unit keeps no crash logs (OpenAos agents keep instance logs and their own log)' };
  const serviceId = request.filter.item?.id;
  const subjectId = request.filter.subject?.id;
  const instance = request.filter.instance ?? 0;
  if (!serviceId || !subjectId) return { problem: 'an instance log request names the item and subject by id' };
  const paths = instancePaths(agent.paths, createInstanceId(serviceId, subjectId, instance));
  return { log: paths.log, hasLineTimes: false, what: `${serviceId}/${subjectId}/${instance}` };
}
