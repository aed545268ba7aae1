export type AgentErrorCode =
  | 'storage-not-separate'
  | 'mount-failed'
  | 'fetch-failed'
  | 'install-failed'
  | 'bad-target'
  | 'runc-failed'
  | 'start-failed'
  | 'stop-failed'
  | 'pool-exhausted'
  | 'bad-cgroup-parent'
  | 'not-running'
  | 'no-identity'
  | 'provisioning-failed'
  | 'refused'
  | 'unreachable'
  | 'download-failed'
  | 'network-failed'
  | 'volume-failed'
  | 'not-enough-space';

/** The one error class of the agent: `code` says which step failed, `cause` keeps the original. */
export class AgentError extends Error {
  override readonly name = 'AgentError';
  readonly code: AgentErrorCode;
  constructor(code: AgentErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}

/** Short text of any thrown value, for status reports. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause =
      error.cause instanceof Error && !error.message.includes(error.cause.message) ? `: ${error.cause.message}` : '';
    return error.message + cause;
  }
  return String(error);
}
