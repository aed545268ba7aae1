/** One problem found in a config file. All problems of a file are reported together. */
export interface ConfigProblem {
  /** File the problem was found in, as given by the caller (e.g. "meta/config.yaml"). */
  file: string;
  /** 1-based line of the offending YAML node, when the source is YAML. */
  line?: number;
  /** 1-based column of the offending YAML node. */
  column?: number;
  /** Dotted field path, e.g. "configuration.quotas.mem" ("" for the whole document). */
  path: string;
  /** What is wrong. */
  message: string;
  /** What was expected. */
  expected?: string;
  /** What to do about it. */
  hint?: string;
  /**
   * 'error' (default when absent) makes parsing fail; 'warning' is reported but the
   * config is still usable (unknown keys are warnings).
   */
  severity?: 'error' | 'warning';
}

export type ConfigErrorCode =
  /** The YAML is well formed but does not satisfy schema v1 (see `problems`). */
  | 'invalid-config'
  /** The YAML text itself could not be parsed (syntax). */
  | 'invalid-yaml'
  /** The YAML was refused before use: too big, too deep, too many aliases. */
  | 'unsafe-yaml'
  /** The config file does not exist. */
  | 'not-found'
  /** The config file exists but could not be read. */
  | 'unreadable'
  /** A size value such as "2kB" could not be parsed. */
  | 'invalid-size'
  /** An ISO 8601 duration such as "PT10S" could not be parsed. */
  | 'invalid-duration'
  /** A device-side document (service_config.json, OCI image config) is invalid. */
  | 'invalid-device-config';

/** The one error class of @openaos/config. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly problems: ConfigProblem[];
  readonly file: string;

  constructor(
    code: ConfigErrorCode,
    message: string,
    options: { file?: string; problems?: ConfigProblem[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConfigError';
    this.code = code;
    this.file = options.file ?? '';
    this.problems = options.problems ?? [];
  }
}

/** True when the problem makes the config unusable (errors; not warnings). */
export function isErrorProblem(problem: ConfigProblem): boolean {
  return problem.severity !== 'warning';
}
