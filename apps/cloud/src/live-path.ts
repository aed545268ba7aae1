/** The console's live event stream: server.ts serves it (createLiveEvents), src/client/live.ts listens. */
export const LIVE_EVENTS_PATH = '/api/live';
