/**
 * A viewer's follow of an instance log, wherever its unit is connected: on this process (the
 * hub), on another (the relay), or nowhere yet. When the unit drops, the follow looks for it again
 * every {@link LOCATE_EVERY_MS} and resumes, on whichever process it came back to, from the last
 * position the viewer was given.
 *
 * Invariants: one follow runs at a time (the previous is stopped before the next starts); the
 * position moves only with the lines delivered, so nothing is sent twice or skipped across a move;
 * `waiting` and `resumed` alternate, `ended` is the last event.
 */
import type { CloudDependencies } from '../../dependencies.js';
import { logHubOf, type FollowEvent, type FollowTarget } from './log-hub.js';
import { logRelayOf } from './log-relay.js';

export const LOCATE_EVERY_MS = 500;
/** While following through another process: how often to check the unit is still there. */
const CHECK_OWNER_EVERY_MS = 2_000;

interface Current {
  stop: () => void;
  /** The process holding the unit, undefined for this one. */
  owner: string | undefined;
  position: () => string | undefined;
}

export function followAnywhere(
  deps: CloudDependencies,
  target: FollowTarget,
  options: { from?: string | undefined; tailLines?: number | undefined },
  deliver: (event: FollowEvent) => void,
): { stop: () => void } {
  const hub = logHubOf(deps);
  const relay = logRelayOf(deps);
  let position = options.from;
  let current: Current | undefined;
  let isWaiting = false;
  let isStopped = false;
  let timer: NodeJS.Timeout | undefined;

  const wait = (message: string) => {
    if (!isWaiting) deliver({ type: 'waiting', message });
    isWaiting = true;
  };
  const stopCurrent = () => {
    // A local follow knows its starting position before any line: keep it, so a move loses nothing.
    position ??= current?.position();
    current?.stop();
    current = undefined;
  };
  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    if (!isStopped) timer = setTimeout(() => void locate(), delayMs);
  };

  const onEvent = (from: object) => (event: FollowEvent) => {
    if (isStopped || current !== from) return;
    if (event.type === 'lines') {
      position = event.next;
      deliver(event);
    } else if (event.type === 'waiting') {
      // The unit dropped (or is not where it was): look for it again.
      stopCurrent();
      wait(event.message);
      schedule(LOCATE_EVERY_MS);
    } else if (event.type === 'resumed') {
      if (isWaiting) deliver(event);
      isWaiting = false;
    } else {
      isStopped = true;
      stopCurrent();
      clearTimeout(timer);
      deliver(event);
    }
  };

  const start = (owner: string | undefined) => {
    const handle: Current = { stop: () => undefined, owner, position: () => undefined };
    current = handle;
    const resume = { from: position, tailLines: position === undefined ? options.tailLines : undefined };
    if (owner === undefined) {
      const started = hub.follow(target, resume, onEvent(handle));
      handle.stop = started.stop;
      handle.position = () => started.handle.position;
    } else if (relay) handle.stop = relay.followRemote(owner, target, resume, onEvent(handle)).stop;
    if (current === handle && isWaiting) {
      isWaiting = false;
      deliver({ type: 'resumed' });
    }
  };

  const locate = async (): Promise<void> => {
    if (isStopped) return;
    try {
      if (hub.channelOf(target.unitId)) {
        if (current?.owner !== undefined || !current) {
          stopCurrent();
          start(undefined);
        }
      } else {
        const owner = relay ? await relay.ownerOf(target.unitId) : undefined;
        if (isStopped) return;
        if (owner === undefined) {
          stopCurrent();
          wait(`unit ${target.systemId} is not connected; waiting for it`);
          schedule(LOCATE_EVERY_MS);
          return;
        }
        if (current?.owner !== owner) {
          stopCurrent();
          start(owner);
        }
      }
    } catch (error) {
      wait(`looking for unit ${target.systemId}: ${(error as Error).message}`);
      schedule(LOCATE_EVERY_MS);
      return;
    }
    // Following elsewhere: the unit may move (or its process die) without telling us.
    if (current?.owner !== undefined) schedule(CHECK_OWNER_EVERY_MS);
  };

  void locate();
  return {
    stop: () => {
      isStopped = true;
      clearTimeout(timer);
      stopCurrent();
    },
  };
}
