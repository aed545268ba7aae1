import type { Actor } from '../actor.js';
import type { CloudDependencies } from '../dependencies.js';
import { authenticateRequest, formatSessionCookie, type RequestFacts } from '../http/authenticate-request.js';
import { ApiError } from '../errors.js';

export interface Context {
  deps: CloudDependencies;
  actor: Actor | null;
  /** The console session token of this request, for sign-out. */
  sessionToken: string | null;
  /** Why authentication failed, when an AosCert token was present but bad. */
  authenticationError: ApiError | null;
  /** Adds a Set-Cookie header to the response (no-op in direct calls). */
  setCookie: (value: string) => void;
  secureCookies: boolean;
  /** The client's address (`unknown` when the transport did not say): sign-in throttling counts by it. */
  clientAddress: string;
}

export interface CreateContextOptions {
  deps: CloudDependencies;
  request: RequestFacts;
  setCookie?: (value: string) => void;
  /** Mark the session cookie Secure (the cloud is served over HTTPS). */
  secureCookies?: boolean;
}

/** Build a request's context: authenticate it (AosCert token or session cookie) once, here. */
export async function createContext(options: CreateContextOptions): Promise<Context> {
  let actor: Actor | null = null;
  let sessionToken: string | null = null;
  let authenticationError: ApiError | null = null;
  try {
    ({ actor, sessionToken } = await authenticateRequest(options.deps, options.request));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    authenticationError = error;
  }
  return {
    deps: options.deps,
    actor,
    sessionToken,
    authenticationError,
    setCookie: options.setCookie ?? (() => undefined),
    secureCookies: options.secureCookies ?? false,
    clientAddress: options.request.clientAddress || 'unknown',
  };
}

/** A context for server-side calls (tests, scripts): the actor is given, nothing is authenticated. */
export function createContextForActor(
  deps: CloudDependencies,
  actor: Actor | null,
  setCookie?: (value: string) => void,
): Context {
  return {
    deps,
    actor,
    sessionToken: null,
    authenticationError: null,
    setCookie: setCookie ?? (() => undefined),
    secureCookies: false,
    clientAddress: 'in-process',
  };
}

export { formatSessionCookie };
