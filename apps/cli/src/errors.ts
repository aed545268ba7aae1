import type { ConfigProblem } from '@openaos/config';

/**
 * Why things went wrong, in the terms a script can act on. Each code maps to exactly one
 * exit code (see `exitCodeOf`), so the exit codes documented in the help and README stay
 * true wherever the error is raised.
 */
export type CliErrorCode =
  /** Bad command line: unknown option, missing argument, conflicting flags. Exit 64. */
  | 'usage'
  /** The service config is invalid (problems listed). Exit 1. */
  | 'invalid-config'
  /** A file the command needs does not exist or cannot be read. Exit 1. */
  | 'not-found'
  /** The command would overwrite something it must not. Exit 1. */
  | 'exists'
  /** A signature, hash or certificate chain did not verify. Exit 2. */
  | 'verification-failed'
  /** Anything else that stopped the command. Exit 1. */
  | 'failed';

/** The exit codes scripts can rely on. */
export const EXIT_CODES = {
  ok: 0,
  error: 1,
  verificationFailed: 2,
  usage: 64,
} as const;

/** The CLI's one error class: `action` says what was being done, `hint` what to do next. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;
  readonly action: string;
  readonly hint: string | undefined;
  /** With code 'invalid-config': every problem found in the config, with file:line:col. */
  readonly problems: ConfigProblem[];

  constructor(
    code: CliErrorCode,
    action: string,
    message: string,
    options?: { hint?: string; cause?: unknown; problems?: ConfigProblem[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.action = action;
    this.hint = options?.hint;
    this.problems = options?.problems ?? [];
  }
}

/** Exit code for an error code: 2 for verification failures, 64 for usage, 1 otherwise. */
export function exitCodeOf(code: CliErrorCode): number {
  switch (code) {
    case 'usage':
      return EXIT_CODES.usage;
    case 'verification-failed':
      return EXIT_CODES.verificationFailed;
    default:
      return EXIT_CODES.error;
  }
}
