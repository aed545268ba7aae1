import { readJsonFile, writeFileAtomic } from '../persist/atomic-write.js';

/** What `aos-agent status` shows of the cloud link (agent/cloud-link.json, written by the daemon). */
export interface LinkState {
  state: 'connected' | 'disconnected' | 'stopped';
  cloudUrl: string;
  systemId: string;
  /** ISO time of the change. */
  since: string;
  reason?: string;
}

export function readLinkState(path: string): Promise<LinkState | undefined> {
  return readJsonFile<LinkState>(path).catch(() => undefined);
}

export function writeLinkState(path: string, state: LinkState): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(state, null, 1));
}

/** One line for people: `cloud: connected to <url> as <id> since <time>` and the like. */
export function describeLinkState(state: LinkState): string {
  const who = `${state.cloudUrl} as ${state.systemId}`;
  if (state.state === 'connected') return `cloud: connected to ${who} since ${state.since}`;
  if (state.state === 'stopped')
    return `cloud: not reconnecting to ${who} since ${state.since}: ${state.reason ?? 'stopped'}`;
  return `cloud: not connected to ${who} since ${state.since}${state.reason ? ` (${state.reason})` : ''}; reconnecting`;
}
