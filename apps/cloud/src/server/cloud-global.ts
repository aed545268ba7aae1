/**
 * The bridge between the custom server and Next's route handlers. The server owns the one
 * cloud core (database, blobs, CA) and puts its request handlers here; the route modules,
 * bundled by Next, only forward to them — so the api, the database driver and PGlite are
 * loaded once, by Node, and never bundled. (No relative imports: this file is compiled both
 * by Next's bundler and by tsc for the server.)
 */
export interface CloudHandlers {
  /** tRPC over the fetch adapter, mounted at /api/trpc. */
  handleTrpc(request: Request): Promise<Response>;
}

const KEY = Symbol.for('openaos.cloud.handlers');
type GlobalWithHandlers = typeof globalThis & { [KEY]?: CloudHandlers };

export function setCloudHandlers(handlers: CloudHandlers): void {
  (globalThis as GlobalWithHandlers)[KEY] = handlers;
}

export function getCloudHandlers(): CloudHandlers | undefined {
  return (globalThis as GlobalWithHandlers)[KEY];
}
