/** Logs from units to people (docs/logs.md): the hub on the unit sockets, the viewer's route, who may read what. */
export { logHubOf, LogHub, type FollowEvent, type FollowTarget } from './log-hub.js';
export { fetchLog, PART_TIMEOUT_MS, type FetchLogRequest } from './fetch-log.js';
export { resolveLogTarget, type LogSelection, type LogTarget } from './log-target.js';
export { handleLogsRequest, isLogsRequest } from './logs-route.js';
export { logRelayOf, startLogRelay, LogRelay } from './log-relay.js';
export { followAnywhere } from './follow-anywhere.js';
export {
  createPostgresRelayTransport,
  encodeRelayMessage,
  RelayAssembler,
  type RelayTransport,
} from './relay-transport.js';
